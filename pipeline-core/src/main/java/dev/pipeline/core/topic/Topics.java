package dev.pipeline.core.topic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The pipeline's topic names and the catalog of what each one is. */
public final class Topics {
  public static final String LOG_EVENTS = "logs.events";
  public static final String CRAWL_JOBS = "crawl.jobs";
  public static final String CRAWL_CONTROL = "crawl.control";
  public static final String CRAWL_FRONTIER = "crawl.frontier";
  public static final String CRAWL_PAGES = "crawl.pages";
  public static final String CRAWL_SKIPPED = "crawl.skipped";

  /**
   * What a frontier partition's owner must not forget: the URLs it has fetched and its hosts'
   * politeness. Compacted, and co-partitioned with {@link #CRAWL_FRONTIER}: partition p holds the
   * state of frontier partition p, and whoever is assigned p restores it first.
   */
  public static final String CRAWL_STATE = "crawl.state";

  public static final String CRAWL_COUNTS = "crawl.counts";
  public static final String HASH_JOBS = "hash.jobs";
  public static final String HASH_RESULTS = "hash.results";

  public static final int DEFAULT_PARTITIONS = 12;

  /** Dead letters are few; they keep the original key, so a few partitions are plenty. */
  public static final int DEAD_LETTER_PARTITIONS = 3;

  private static final Map<String, String> COMPACTED = Map.of("cleanup.policy", "compact");

  private Topics() {}

  /** Returns the dead-letter topic of {@code topic}. */
  public static String deadLetter(String topic) {
    return topic + ".dlq";
  }

  /**
   * Returns every topic the pipeline uses, each followed by its dead-letter topic.
   *
   * @param partitions partitions of each work topic (dead-letter topics get {@value
   *     #DEAD_LETTER_PARTITIONS})
   */
  public static List<TopicSpec> catalog(int partitions) {
    List<TopicSpec> work =
        List.of(
            new TopicSpec(LOG_EVENTS, partitions, Map.of()),
            new TopicSpec(CRAWL_JOBS, partitions, COMPACTED),
            new TopicSpec(CRAWL_CONTROL, partitions, COMPACTED),
            new TopicSpec(CRAWL_FRONTIER, partitions, Map.of()),
            new TopicSpec(CRAWL_PAGES, partitions, Map.of()),
            new TopicSpec(CRAWL_SKIPPED, partitions, Map.of()),
            new TopicSpec(CRAWL_STATE, partitions, COMPACTED),
            new TopicSpec(CRAWL_COUNTS, DEAD_LETTER_PARTITIONS, COMPACTED),
            new TopicSpec(HASH_JOBS, partitions, Map.of()),
            new TopicSpec(HASH_RESULTS, partitions, Map.of()));
    List<TopicSpec> all = new ArrayList<>();
    for (TopicSpec spec : work) {
      all.add(spec);
      all.add(new TopicSpec(spec.deadLetterTopic(), DEAD_LETTER_PARTITIONS, Map.of()));
    }
    return List.copyOf(all);
  }
}
