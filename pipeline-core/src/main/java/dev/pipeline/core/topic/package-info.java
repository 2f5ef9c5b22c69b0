/** The pipeline's topics: names, partition counts and configs, created idempotently at start-up. */
@NullMarked
package dev.pipeline.core.topic;

import org.jspecify.annotations.NullMarked;
