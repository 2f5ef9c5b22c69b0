/**
 * The messages that travel on the pipeline's topics, as immutable records validated when built, and
 * the one JSON codec that reads and writes them.
 */
@NullMarked
package dev.pipeline.core.message;

import org.jspecify.annotations.NullMarked;
