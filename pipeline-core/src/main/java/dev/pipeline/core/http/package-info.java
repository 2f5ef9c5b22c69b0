/** The small HTTP layer the services share: JSON answers, a bearer token, body size limits. */
@NullMarked
package dev.pipeline.core.http;

import org.jspecify.annotations.NullMarked;
