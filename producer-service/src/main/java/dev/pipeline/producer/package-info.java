/** The producer-service service. */
@NullMarked
package dev.pipeline.producer;

import org.jspecify.annotations.NullMarked;
