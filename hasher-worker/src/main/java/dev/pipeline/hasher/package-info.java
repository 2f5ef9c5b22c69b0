/** The hasher-worker service. */
@NullMarked
package dev.pipeline.hasher;

import org.jspecify.annotations.NullMarked;
