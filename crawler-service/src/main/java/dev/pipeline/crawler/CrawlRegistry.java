package dev.pipeline.crawler;

import dev.pipeline.core.config.KafkaSettings;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlCount;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every crawler process knows about every crawl: the jobs, their control state and the pages
 * each process has fetched, read whole from the compacted {@code crawl.jobs}, {@code crawl.control}
 * and {@code crawl.counts} topics. Also keeps this process's own page counts and publishes them, so
 * that all processes together hold a crawl's {@code maxPages}.
 */
final class CrawlRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CrawlRegistry.class);
  private static final List<String> TOPICS =
      List.of(Topics.CRAWL_JOBS, Topics.CRAWL_CONTROL, Topics.CRAWL_COUNTS);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Publisher publisher;
  private final String worker;
  private final Credentials credentials;
  private final MessageCodec codec = MessageCodec.standard();
  private final Map<String, Crawl> crawls = new ConcurrentHashMap<>();
  private final Map<String, CrawlControl> controls = new ConcurrentHashMap<>();
  // crawl id -> worker -> pages fetched, as other processes last reported them
  private final Map<String, Map<String, Long>> reported = new HashMap<>();
  private final Map<String, Budget> local = new HashMap<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean running = true;
  // What "caught up" means: the end offsets when reading began. Set before the thread starts.
  private @Nullable Map<TopicPartition, Long> ends;

  /** This process's pages of one crawl: fetched, and reserved by fetches in flight. */
  private static final class Budget {
    long fetched;
    long reserved;
    long published = -1;
  }

  CrawlRegistry(KafkaSettings kafka, Publisher publisher, String worker, Credentials credentials) {
    this.publisher = publisher;
    this.worker = worker;
    this.credentials = credentials;
    this.consumer =
        new KafkaConsumer<>(
            kafka.clientConfig(Map.of()), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.thread = Thread.ofPlatform().daemon().name("crawl-registry").unstarted(this::run);
  }

  /** Starts reading and waits until everything already on the topics has been read. */
  void start(Duration timeout) throws InterruptedException {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : TOPICS) {
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
    thread.start();
    if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("could not read the crawl topics within " + timeout);
    }
  }

  private void run() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          apply(record);
        }
        Map<TopicPartition, Long> target = ends;
        if (target != null && caughtUp.getCount() > 0 && reached(target)) {
          caughtUp.countDown();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      log.error(
          "Reading the crawl topics failed; crawls submitted from now on are unknown here", e);
    } finally {
      consumer.close();
    }
  }

  private boolean reached(Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    String key = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    try {
      switch (record.topic()) {
        case Topics.CRAWL_JOBS -> {
          if (record.value() == null) {
            crawls.remove(key);
          } else {
            CrawlJob job = codec.decode(record.value(), CrawlJob.class);
            crawls.put(job.crawlId(), Crawl.of(job, credentials));
          }
        }
        case Topics.CRAWL_CONTROL -> {
          if (record.value() != null) {
            CrawlControl control = codec.decode(record.value(), CrawlControl.class);
            controls.put(control.crawlId(), control);
          }
        }
        case Topics.CRAWL_COUNTS -> {
          if (record.value() != null) {
            CrawlCount count = codec.decode(record.value(), CrawlCount.class);
            if (!count.worker().equals(worker)) {
              synchronized (this) {
                reported
                    .computeIfAbsent(count.crawlId(), id -> new HashMap<>())
                    .put(count.worker(), count.fetched());
              }
            }
          }
        }
        default -> {}
      }
    } catch (InvalidMessageException e) {
      log.warn(
          "Ignoring invalid {} record {}@{}: {}",
          record.topic(),
          record.partition(),
          record.offset(),
          e.getMessage());
    }
  }

  @Nullable Crawl crawl(String crawlId) {
    return crawls.get(crawlId);
  }

  CrawlControl.State state(String crawlId) {
    CrawlControl control = controls.get(crawlId);
    return control == null ? CrawlControl.State.RUNNING : control.state();
  }

  /** Why the crawl FAILED, or null while it has not. */
  @Nullable String failure(String crawlId) {
    CrawlControl control = controls.get(crawlId);
    return control == null || control.state() != CrawlControl.State.FAILED
        ? null
        : control.reason();
  }

  /**
   * Stops the crawl everywhere: FAILED with the reason on {@code crawl.control}, and at once in
   * this process, so its other URLs are settled without a request.
   */
  void fail(String crawlId, String reason) {
    CrawlControl failed =
        new CrawlControl(1, crawlId, CrawlControl.State.FAILED, Instant.now(), reason);
    controls.put(crawlId, failed);
    publisher.publish(Topics.CRAWL_CONTROL, crawlId, failed);
    log.warn("crawl {} failed: {}", crawlId, reason);
  }

  /**
   * Reserves one page of the crawl's budget for a fetch about to start; false when all processes
   * together have fetched or are fetching {@code maxPages}.
   */
  synchronized boolean reserve(Crawl crawl) {
    Budget budget = local.computeIfAbsent(crawl.id(), id -> new Budget());
    Integer maxPages = crawl.job().maxPages();
    if (maxPages != null) {
      long others =
          reported.getOrDefault(crawl.id(), Map.of()).values().stream()
              .mapToLong(Long::longValue)
              .sum();
      if (others + budget.fetched + budget.reserved >= maxPages) {
        return false;
      }
    }
    budget.reserved++;
    return true;
  }

  /** Ends a reservation: the page was fetched, or its fetch did not happen. */
  synchronized void release(Crawl crawl, boolean fetched) {
    Budget budget = local.computeIfAbsent(crawl.id(), id -> new Budget());
    budget.reserved--;
    if (fetched) {
      budget.fetched++;
    }
  }

  /** Publishes this process's page counts that changed since the last call. */
  void publishCounts() {
    Map<String, Long> changed = new HashMap<>();
    synchronized (this) {
      for (Map.Entry<String, Budget> entry : local.entrySet()) {
        Budget budget = entry.getValue();
        if (budget.fetched != budget.published) {
          budget.published = budget.fetched;
          changed.put(entry.getKey(), budget.fetched);
        }
      }
    }
    changed.forEach(
        (crawlId, fetched) ->
            publisher.publish(
                Topics.CRAWL_COUNTS,
                crawlId + "/" + worker,
                new CrawlCount(1, crawlId, worker, fetched, Instant.now())));
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
