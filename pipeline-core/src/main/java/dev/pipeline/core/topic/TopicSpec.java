package dev.pipeline.core.topic;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** A topic as the pipeline wants it: name, partition count and topic-level configs. */
public record TopicSpec(String name, int partitions, Map<String, String> configs) {
  public TopicSpec {
    requireNonNull(name, "name == null");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions < 1: " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  /** Returns the name of this topic's dead-letter topic. */
  public String deadLetterTopic() {
    return Topics.deadLetter(name);
  }
}
