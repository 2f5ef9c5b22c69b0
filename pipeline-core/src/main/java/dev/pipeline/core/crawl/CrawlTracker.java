package dev.pipeline.core.crawl;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * Follows one crawl on Kafka, needing no service: every URL handed to its frontier, every page
 * fetched and every URL skipped. Each frontier record is settled by exactly one page or skip that
 * names it ({@code partition:offset}), so the crawl is finished when every frontier record read is
 * settled and nothing newer is on the topics.
 */
public final class CrawlTracker implements AutoCloseable {
  private static final MessageCodec CODEC = MessageCodec.standard();
  private static final List<String> TOPICS =
      List.of(
          Topics.CRAWL_FRONTIER, Topics.CRAWL_PAGES, Topics.CRAWL_SKIPPED, Topics.CRAWL_CONTROL);

  private final String crawlId;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Set<String> queued = new HashSet<>();
  private final Set<String> settled = new HashSet<>();
  private final Map<String, List<FrontierUrl>> frontier = new HashMap<>();
  private final Map<String, PageResult> pages = new LinkedHashMap<>();
  private final Map<String, List<SkippedUrl>> skipped = new LinkedHashMap<>();
  private CrawlControl.@Nullable State state;
  private @Nullable String failure;

  /**
   * Starts reading the crawl's topics at {@code from}: the current ends for a crawl about to be
   * submitted, or its submission time for one that runs already.
   */
  public CrawlTracker(KafkaSettings kafka, String crawlId, @Nullable Instant from) {
    this.crawlId = crawlId;
    Map<String, Object> config = kafka.clientConfig(Map.of());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = partitions(consumer, TOPICS);
    consumer.assign(partitions);
    if (from == null) {
      consumer.seekToEnd(partitions);
    } else {
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(p -> times.put(p, from.minusSeconds(10).toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> offsets =
          consumer.offsetsForTimes(times, Duration.ofSeconds(30));
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      for (TopicPartition partition : partitions) {
        OffsetAndTimestamp at = offsets.get(partition);
        consumer.seek(partition, at == null ? ends.get(partition) : at.offset());
      }
    }
    partitions.forEach(consumer::position); // fixes the start before anything is published
  }

  private static List<TopicPartition> partitions(
      KafkaConsumer<?, ?> consumer, List<String> topics) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : topics) {
      consumer
          .partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    if (partitions.isEmpty()) {
      throw new IllegalStateException(
          "the crawl topics do not exist; start the pipeline (bin/pipeline up)");
    }
    return partitions;
  }

  /** Reads what is there now; returns whether anything of this crawl was read. */
  public boolean poll(Duration timeout) {
    boolean read = false;
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      read |= apply(record);
    }
    return read;
  }

  private boolean apply(ConsumerRecord<String, byte[]> record) {
    String key = record.key();
    if (key == null || record.value() == null) {
      return false;
    }
    switch (record.topic()) {
      case Topics.CRAWL_FRONTIER -> {
        FrontierUrl url = decode(record.value(), FrontierUrl.class);
        if (url == null || !url.crawlId().equals(crawlId)) {
          return false;
        }
        queued.add(record.partition() + ":" + record.offset());
        frontier.computeIfAbsent(url.url(), u -> new ArrayList<>()).add(url);
      }
      case Topics.CRAWL_PAGES -> {
        if (!key.startsWith(crawlId + " ")) {
          return false;
        }
        PageResult page = decode(record.value(), PageResult.class);
        if (page == null) {
          return false;
        }
        if (page.frontier() != null) {
          settled.add(page.frontier());
        }
        PageResult before = pages.get(page.url());
        if (before == null || page.depth() < before.depth()) {
          pages.put(page.url(), page);
        }
      }
      case Topics.CRAWL_SKIPPED -> {
        if (!key.startsWith(crawlId + " ")) {
          return false;
        }
        SkippedUrl skip = decode(record.value(), SkippedUrl.class);
        if (skip == null) {
          return false;
        }
        if (skip.frontier() != null) {
          settled.add(skip.frontier());
        }
        skipped.computeIfAbsent(skip.url(), u -> new ArrayList<>()).add(skip);
      }
      case Topics.CRAWL_CONTROL -> {
        if (!key.equals(crawlId)) {
          return false;
        }
        CrawlControl control = decode(record.value(), CrawlControl.class);
        if (control != null) {
          state = control.state();
          failure = control.state() == CrawlControl.State.FAILED ? control.reason() : null;
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  private static <T> @Nullable T decode(byte[] value, Class<T> type) {
    try {
      return CODEC.decode(value, type);
    } catch (RuntimeException e) {
      return null; // not ours to judge: the services dead-letter invalid records
    }
  }

  /** Reads until it has everything on the topics now. */
  public void catchUp() {
    Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
    while (!reached(ends)) {
      poll(Duration.ofMillis(200));
    }
  }

  private boolean reached(Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether no URL of the crawl is pending anywhere: every frontier record read is settled, and the
   * topics hold nothing newer (a page is published only after the links it found, so reading to the
   * current ends catches every link of every settled page).
   */
  public boolean finished() {
    if (queued.isEmpty() || pending() > 0) {
      return false;
    }
    catchUp();
    return pending() == 0;
  }

  /** Reads until the crawl is finished or {@code timeout} passes; returns whether it finished. */
  public boolean awaitFinished(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      poll(Duration.ofMillis(200));
      if (finished()) {
        return true;
      }
    }
    return false;
  }

  public long pending() {
    long open = 0;
    for (String ref : queued) {
      if (!settled.contains(ref)) {
        open++;
      }
    }
    return open;
  }

  public long fetched() {
    return pages.size();
  }

  public long errors() {
    return broken().size();
  }

  /** Why the crawl failed (its login, say), or null when it has not. */
  public @Nullable String failure() {
    return failure;
  }

  public CrawlControl.@Nullable State state() {
    return state;
  }

  public Map<String, PageResult> pages() {
    return pages;
  }

  /** Status code histogram of the fetched pages (0: no answer). */
  public Map<Integer, Long> statuses() {
    Map<Integer, Long> statuses = new TreeMap<>();
    pages.values().forEach(page -> statuses.merge(page.status(), 1L, Long::sum));
    return statuses;
  }

  /** Distinct URLs discovered and not fetched, by their first reason. */
  public Map<SkippedUrl.Reason, Long> skippedByReason() {
    Map<SkippedUrl.Reason, Long> counts = new EnumMap<>(SkippedUrl.Reason.class);
    skipped.forEach(
        (url, skips) -> {
          if (!pages.containsKey(url)) {
            counts.merge(skips.get(0).reason(), 1L, Long::sum);
          }
        });
    return counts;
  }

  /** Pages that answered with an error or not at all, with the page that links them. */
  public List<PageResult> broken() {
    return pages.values().stream().filter(p -> p.status() == 0 || p.status() >= 400).toList();
  }

  public List<FrontierUrl> frontierOf(String url) {
    return frontier.getOrDefault(url, List.of());
  }

  public List<SkippedUrl> skipsOf(String url) {
    return skipped.getOrDefault(url, List.of());
  }

  /** The page fetched for {@code url}, directly or as a redirect on the way. */
  public @Nullable PageResult pageOf(String url) {
    PageResult page = pages.get(url);
    if (page != null) {
      return page;
    }
    return pages.values().stream()
        .filter(p -> p.finalUrl().equals(url) || p.redirects().contains(url))
        .findFirst()
        .orElse(null);
  }

  /** Finds a crawl job by id on the compacted {@code crawl.jobs}; null when there is none. */
  public static @Nullable CrawlJob findJob(KafkaSettings kafka, String crawlId) {
    Map<String, Object> config = kafka.clientConfig(Map.of());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    CrawlJob found = null;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(consumer, List.of(Topics.CRAWL_JOBS));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      while (!ends.entrySet().stream()
          .allMatch(end -> consumer.position(end.getKey()) >= end.getValue())) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (crawlId.equals(record.key())) {
            found = record.value() == null ? null : decode(record.value(), CrawlJob.class);
          }
        }
      }
    }
    return found;
  }

  /** Closes without waiting: in no group and committing nothing, it has nothing to finish. */
  @Override
  public void close() {
    consumer.close(CloseOptions.timeout(Duration.ZERO));
  }
}
