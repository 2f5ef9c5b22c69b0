package dev.pipeline.core.runtime;

import org.jspecify.annotations.Nullable;

/**
 * One decoded and validated message, with where it came from.
 *
 * @param attempt 1 on the first try in this process, then 2, 3... on retries
 * @param deliveryCount how often the broker has delivered it (share groups; 1 for consumer groups)
 */
public record Job<T>(
    T message,
    String topic,
    int partition,
    long offset,
    @Nullable String key,
    int attempt,
    int deliveryCount) {}
