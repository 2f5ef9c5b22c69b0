/**
 * Hash runs: a batch of hash jobs published together and the outcomes read back, by the CLI
 * straight from Kafka or by producer-service for a client of {@code POST /v1/hashes}.
 */
@NullMarked
package dev.pipeline.core.hash;

import org.jspecify.annotations.NullMarked;
