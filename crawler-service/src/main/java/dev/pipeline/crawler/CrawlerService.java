package dev.pipeline.crawler;

import dev.pipeline.core.config.ServiceOptions;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.runtime.JobHandler;
import dev.pipeline.core.runtime.ServiceMain;
import dev.pipeline.core.runtime.ServiceRunner;
import dev.pipeline.core.runtime.Worker;
import dev.pipeline.core.runtime.WorkerSettings;
import dev.pipeline.core.topic.Topics;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Owns hosts of the frontier through the {@code crawler} consumer group. This first version joins
 * the group and validates frontier URLs; fetching, politeness and link extraction come with the
 * crawler issue.
 */
@Command(
    name = "crawler-service",
    mixinStandardHelpOptions = true,
    description =
        "Consumes crawl.frontier (keyed by host) in a consumer group, on virtual threads.")
public final class CrawlerService implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(CrawlerService.class);

  @Mixin ServiceOptions options;

  @Option(
      names = "--group",
      defaultValue = "${env:PIPELINE_CRAWLER_GROUP:-crawler}",
      description = "Consumer group (env PIPELINE_CRAWLER_GROUP, default ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    JobHandler<FrontierUrl> handler =
        JobHandler.blocking(
            job ->
                log.info(
                    "Frontier URL {} (crawl {}, depth {}): fetching is not in this version",
                    job.message().url(),
                    job.message().crawlId(),
                    job.message().depth()));
    return ServiceRunner.run(
        "crawler-service",
        options,
        (kafka, publisher) ->
            new Worker<>(
                WorkerSettings.builder("crawler-service", kafka)
                    .group(group)
                    .topics(Topics.CRAWL_FRONTIER)
                    .concurrency(options.concurrency(256))
                    .shutdownTimeout(options.shutdownTimeout())
                    .build(),
                FrontierUrl.class,
                handler,
                publisher));
  }

  public static void main(String[] args) {
    ServiceMain.run("crawler-service", new CrawlerService(), args);
  }
}
