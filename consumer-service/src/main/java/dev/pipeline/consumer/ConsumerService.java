package dev.pipeline.consumer;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.message.LogEvent;
import dev.pipeline.core.runtime.JobHandler;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import dev.pipeline.core.topic.Topics;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Consumes log events in the {@code consumer-service} consumer group. This first version validates
 * and counts them by level; the SQL store comes with the log-events issue.
 */
@Command(
    name = "consumer-service",
    mixinStandardHelpOptions = true,
    description =
        "Consumes logs.events in a consumer group (KIP-848 protocol), validating each event.")
public final class ConsumerService implements Callable<Integer> {
  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_CONSUMER_GROUP:-consumer-service}",
      description = "Consumer group (env PIPELINE_CONSUMER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  private final Map<LogEvent.Level, LongAdder> byLevel = new EnumMap<>(LogEvent.Level.class);

  @Override
  public Integer call() throws Exception {
    for (LogEvent.Level level : LogEvent.Level.values()) {
      byLevel.put(level, new LongAdder());
    }
    JobHandler<LogEvent> count =
        JobHandler.blocking(job -> byLevel.get(job.message().level()).increment());
    return ServiceRunner.run(
        "consumer-service",
        options,
        (kafka, publisher) ->
            new Worker<>(
                WorkerSettings.builder("consumer-service", kafka)
                    .group(group)
                    .topics(Topics.LOG_EVENTS)
                    .concurrency(options.concurrency(64))
                    .shutdownTimeout(options.shutdownTimeout())
                    .build(),
                LogEvent.class,
                count,
                publisher));
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConsumerService()).execute(args));
  }
}
