/**
 * The {@code pipeline} command: starts, scales, watches and stops the pipeline's processes, and
 * talks to them only through Kafka, their ports and the OS.
 */
@NullMarked
package dev.pipeline.cli;

import org.jspecify.annotations.NullMarked;
