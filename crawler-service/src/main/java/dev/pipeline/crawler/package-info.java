/** The crawler-service service. */
@NullMarked
package dev.pipeline.crawler;

import org.jspecify.annotations.NullMarked;
