package dev.pipeline.hasher;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.runtime.ConsumptionModel;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import dev.pipeline.core.topic.Topics;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Takes hash jobs from the {@code hasher} share group and hashes them on every core. */
@Command(
    name = "hasher-worker",
    mixinStandardHelpOptions = true,
    description =
        "Hashes jobs from hash.jobs (a Kafka share group) on a pool sized to the cores and publishes hash.results.")
public final class HasherWorker implements Callable<Integer> {
  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_HASHER_GROUP:-hasher}",
      description = "Share group (env PIPELINE_HASHER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  @Option(
      names = "--consumers",
      defaultValue = "${env:PIPELINE_HASHER_CONSUMERS:-2}",
      description =
          "Share consumers in this process; more keep the cores busy while one waits for its batch (env PIPELINE_HASHER_CONSUMERS, default ${DEFAULT-VALUE}).")
  int consumers;

  @Override
  public Integer call() throws Exception {
    String workerId = options.workerId();
    return ServiceRunner.run(
        "hasher-worker",
        options,
        (kafka, publisher) ->
            new Worker<>(
                WorkerSettings.builder("hasher-worker", kafka)
                    .group(group)
                    .topics(Topics.HASH_JOBS)
                    .model(ConsumptionModel.SHARE)
                    .concurrency(options.concurrency(Runtime.getRuntime().availableProcessors()))
                    .consumers(consumers)
                    .shutdownTimeout(options.shutdownTimeout())
                    .build(),
                HashJob.class,
                new Hasher(publisher, workerId),
                publisher));
  }

  public static void main(String[] args) {
    ServiceMain.run("hasher-worker", new HasherWorker(), args);
  }
}
