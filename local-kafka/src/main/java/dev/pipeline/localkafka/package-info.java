/**
 * A real Apache Kafka broker (KRaft, broker and controller in one JVM) for local runs and tests.
 */
@NullMarked
package dev.pipeline.localkafka;

import org.jspecify.annotations.NullMarked;
