package dev.pipeline.core.hash;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.message.InvalidMessageException;
import dev.pipeline.core.message.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The answer of {@code POST /v1/hashes}: NDJSON, a line per outcome as it arrives, then one last
 * line.
 *
 * <ul>
 *   <li>a job's result, exactly as on {@code hash.results} ({@code {"jobId":…,"digests":…}});
 *   <li>{@code {"jobId":…,"failure":"…"}} for a job dead-lettered, or not taken by Kafka;
 *   <li>{@code {"line":N,"refused":"…"}} for a request line that named no valid job;
 *   <li>last, {@code {"end":{"jobs":N,"outcomes":M,"pending":P}}}: {@code pending} jobs had no
 *       outcome when the run's timeout passed.
 * </ul>
 *
 * Blank lines keep a quiet connection alive; a reader skips them.
 */
public final class HashAnswer {
  private static final MessageCodec CODEC = MessageCodec.standard();

  private HashAnswer() {}

  /** A line of the answer, read. */
  public sealed interface Line {}

  /** A job's outcome. */
  public record Job(HashOutcomes.Outcome outcome) implements Line {}

  /** A request line (counted from 1) that named no valid job, and why. */
  public record Refused(long line, String reason) implements Line {}

  /** The last line. */
  public record End(long jobs, long outcomes, long pending) implements Line {}

  public static byte[] failure(String jobId, String reason) {
    return line(Map.of("jobId", jobId, "failure", reason));
  }

  public static byte[] refused(long line, String reason) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("line", line);
    fields.put("refused", reason);
    return line(fields);
  }

  public static byte[] end(End end) {
    return line(Map.of("end", end));
  }

  private static byte[] line(Object value) {
    return CODEC.encode(value);
  }

  /**
   * Reads one non-blank line.
   *
   * @throws InvalidMessageException when it is none of the kinds above
   */
  public static Line read(String json) {
    JsonNode node = CODEC.parse(json);
    if (node.has("end")) {
      return CODEC.decode(node.get("end"), End.class);
    }
    if (node.has("refused")) {
      return new Refused(node.path("line").asLong(), node.get("refused").asText());
    }
    if (!node.path("jobId").isTextual()) {
      throw new InvalidMessageException("not a line of a hash run's answer: " + node);
    }
    String jobId = node.get("jobId").asText();
    return node.has("failure")
        ? new Job(new HashOutcomes.Outcome(jobId, null, node.get("failure").asText()))
        : new Job(new HashOutcomes.Outcome(jobId, json.getBytes(StandardCharsets.UTF_8), null));
  }
}
