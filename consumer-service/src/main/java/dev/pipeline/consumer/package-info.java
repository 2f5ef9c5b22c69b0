/** The consumer-service service. */
@NullMarked
package dev.pipeline.consumer;

import org.jspecify.annotations.NullMarked;
