package dev.pipeline.hasher;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.net.AddressPolicy;
import dev.pipeline.core.runtime.ConsumptionModel;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import dev.pipeline.core.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Takes hash jobs from the {@code hasher} share group and hashes them on every core. */
@Command(
    name = "hasher-worker",
    mixinStandardHelpOptions = true,
    description = {
      "Hashes jobs from hash.jobs (a Kafka share group) and publishes hash.results.",
      "Files under --root on a pool of one thread per core, inline data, and http(s) URLs. Run as many processes as you like: the share group hands each job to one of them."
    })
public final class HasherWorker implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(HasherWorker.class);

  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_HASHER_GROUP:-hasher}",
      description = "Share group (env PIPELINE_HASHER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--root",
      paramLabel = "DIR",
      description =
          "A directory whose files jobs may hash (repeatable; env PIPELINE_HASHER_ROOTS, paths separated by ':'). Without one, file jobs are refused.")
  List<Path> roots = new ArrayList<>();

  @Option(
      names = "--consumption",
      defaultValue = "${env:PIPELINE_HASHER_CONSUMPTION:-SHARE}",
      description =
          "SHARE: a share group (KIP-932): per-job acknowledgement, more workers than partitions. GROUP: a classic consumer group, to compare (its group is named GROUP-classic). Env PIPELINE_HASHER_CONSUMPTION, default ${DEFAULT-VALUE}.")
  ConsumptionModel consumption;

  @Option(
      names = "--threads",
      defaultValue = "${env:PIPELINE_HASHER_THREADS:-0}",
      description = "Threads hashing files; 0 means one per core (env PIPELINE_HASHER_THREADS).")
  int threads;

  @Option(
      names = "--consumers",
      defaultValue = "${env:PIPELINE_HASHER_CONSUMERS:-2}",
      description =
          "Share consumers in this process; more keep the cores busy while one waits for its batch (env PIPELINE_HASHER_CONSUMERS, default ${DEFAULT-VALUE}).")
  int consumers;

  @Option(
      names = "--batch",
      defaultValue = "${env:PIPELINE_HASHER_BATCH:-500}",
      description =
          "Jobs a consumer takes per poll. Large for many small jobs (fewer round trips); small (1-4) for a few large files, so an idle process takes the jobs a busy one would otherwise hold (env PIPELINE_HASHER_BATCH, default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--lock-duration",
      defaultValue = "${env:PIPELINE_HASHER_LOCK_DURATION:-60s}",
      description =
          "How long a worker holds a job before the group hands it to another (the group's share.record.lock.duration.ms; at most the broker's group.share.max.record.lock.duration.ms, 60 s by default). Must fit the largest file (env PIPELINE_HASHER_LOCK_DURATION, default ${DEFAULT-VALUE}).")
  Duration lockDuration;

  @Option(
      names = "--max-deliveries",
      defaultValue = "${env:PIPELINE_HASHER_MAX_DELIVERIES:-5}",
      description =
          "Deliveries of a job before it goes to hash.jobs.dlq: a job whose workers keep dying or timing out (2-10, env PIPELINE_HASHER_MAX_DELIVERIES, default ${DEFAULT-VALUE}).")
  int maxDeliveries;

  @Option(
      names = "--max-url-bytes",
      defaultValue = "${env:PIPELINE_HASHER_MAX_URL_BYTES:-1073741824}",
      description =
          "Largest body a URL job may stream (env PIPELINE_HASHER_MAX_URL_BYTES, default ${DEFAULT-VALUE}).")
  long maxUrlBytes;

  @Option(
      names = "--allow-private-addresses",
      defaultValue = "${env:PIPELINE_HASHER_ALLOW_PRIVATE_ADDRESSES:-false}",
      description =
          "Let URL jobs reach loopback, private and link-local addresses (env PIPELINE_HASHER_ALLOW_PRIVATE_ADDRESSES).")
  boolean allowPrivateAddresses;

  @Override
  public Integer call() throws Exception {
    String workerId = options.workerId();
    HashRoots hashRoots = HashRoots.of(allRoots());
    int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    UrlFetcher urls =
        new UrlFetcher(
            new AddressPolicy(allowPrivateAddresses), maxUrlBytes, "pipeline-hasher/" + workerId);
    log.info(
        "Hashing files under {} on {} thread(s){}",
        hashRoots.roots().isEmpty() ? "(no roots: file jobs refused)" : hashRoots.roots(),
        cores,
        allowPrivateAddresses ? "; URL jobs may reach private addresses" : "");
    try (CorePool pool = new CorePool(cores)) {
      Hasher hasher = new Hasher(workerId, hashRoots, pool, urls);
      return ServiceRunner.run(
          "hasher-worker",
          options,
          Publisher.SMALL_RECORDS, // results: a digest and a path each
          (kafka, publisher) ->
              new Worker<>(
                  WorkerSettings.builder("hasher-worker", kafka)
                      // A group id is either a share group or a consumer group, never both.
                      .group(consumption == ConsumptionModel.SHARE ? group : group + "-classic")
                      .topics(Topics.HASH_JOBS)
                      .model(consumption)
                      .concurrency(options.concurrency(64))
                      .consumers(consumers)
                      .maxInFlight(batch)
                      .lockDuration(lockDuration)
                      .maxDeliveries(maxDeliveries)
                      .shutdownTimeout(options.shutdownTimeout())
                      .build(),
                  HashJob.class,
                  // Done when Kafka has the result; only then is the job acknowledged.
                  job ->
                      hasher
                          .hash(job.message())
                          .thenCompose(
                              result ->
                                  publisher.publish(Topics.HASH_RESULTS, result.jobId(), result)),
                  publisher));
    }
  }

  private List<Path> allRoots() {
    List<Path> all = new ArrayList<>(roots);
    String fromEnv = System.getenv("PIPELINE_HASHER_ROOTS");
    if (roots.isEmpty() && fromEnv != null) {
      for (String dir : fromEnv.split(java.io.File.pathSeparator)) {
        if (!dir.isBlank()) {
          all.add(Path.of(dir));
        }
      }
    }
    return all;
  }

  public static void main(String[] args) {
    ServiceMain.run("hasher-worker", new HasherWorker(), args);
  }
}
