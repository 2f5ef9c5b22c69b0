package dev.pipeline.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.crawl.CrawlRequest;
import dev.pipeline.core.crawl.CrawlSubmission;
import dev.pipeline.core.http.HttpApi;
import dev.pipeline.core.http.HttpError;
import dev.pipeline.core.message.CrawlJob;
import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlSequence;
import dev.pipeline.core.message.CrawlStep;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import dev.pipeline.core.runtime.Publisher;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/crawls}: a {@link CrawlRequest} as JSON. 202 with the crawl id once Kafka has the
 * crawl and its seeds; 400 with the reason for a bad option or a refused seed; 503 when Kafka
 * cannot take it.
 */
final class CrawlIntake {
  private static final KnownFields FIELDS = new KnownFields(CrawlRequest.class);
  private static final KnownFields LOGIN_FIELDS = new KnownFields(CrawlLogin.class);
  private static final KnownFields SEQUENCE_FIELDS = new KnownFields(CrawlSequence.class);
  private static final KnownFields STEP_FIELDS = new KnownFields(CrawlStep.class);

  private CrawlIntake() {}

  static HttpApi.Handler handler(Publisher publisher, int maxBody) {
    return HttpApi.route(
        Set.of("POST"),
        request -> {
          CrawlJob job;
          try {
            JsonNode body =
                MessageCodec.standard()
                    .parse(new String(request.body(maxBody), StandardCharsets.UTF_8));
            FIELDS.check(body, "");
            if (body.path("login").isObject()) {
              LOGIN_FIELDS.check(body.get("login"), "login.");
              int step = 0;
              for (JsonNode each : body.get("login").path("steps")) {
                if (each.isObject()) {
                  STEP_FIELDS.check(each, "login.steps[" + step++ + "].");
                }
              }
            }
            int at = 0;
            for (JsonNode sequence : body.path("sequences")) {
              String where = "sequences[" + at++ + "].";
              if (sequence.isObject()) {
                SEQUENCE_FIELDS.check(sequence, where);
                int step = 0;
                for (JsonNode each : sequence.path("steps")) {
                  if (each.isObject()) {
                    STEP_FIELDS.check(each, where + "steps[" + step++ + "].");
                  }
                }
              }
            }
            job = MessageCodec.standard().decode(body, CrawlRequest.class).toJob(Instant.now());
          } catch (InvalidMessageException | IllegalArgumentException e) {
            throw new HttpError(400, e.getMessage());
          }
          String refusal = CrawlSubmission.refusedSeed(job);
          if (refusal != null) {
            throw new HttpError(
                400, refusal.replace("--allow-private-addresses", "allowPrivateAddresses"));
          }
          try {
            CrawlSubmission.submit(publisher, job);
          } catch (IllegalStateException e) {
            throw new HttpError(503, e.getMessage(), Map.of("Retry-After", "5"));
          }
          Map<String, Object> answer = new LinkedHashMap<>();
          answer.put("crawlId", job.crawlId());
          answer.put("seeds", job.seeds());
          return HttpApi.json(202, answer);
        });
  }
}
