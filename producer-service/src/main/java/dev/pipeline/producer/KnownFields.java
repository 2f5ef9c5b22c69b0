package dev.pipeline.producer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pipeline.core.message.InvalidMessageException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;

/**
 * The fields a request's JSON object may hold: those of the record it becomes. The codec ignores
 * fields it does not know, and a misspelt option must not be ignored silently: the work would run
 * without it.
 */
final class KnownFields {
  private final List<String> names;

  KnownFields(Class<? extends Record> type) {
    names = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  /**
   * @param prefix where {@code object} sits in the request ({@code "login.steps[0]."}), for the
   *     message
   * @throws InvalidMessageException naming the first field that is not one of them
   */
  void check(JsonNode object, String prefix) {
    for (String field : (Iterable<String>) object::fieldNames) {
      if (!names.contains(field)) {
        throw new InvalidMessageException(
            "unknown field '" + prefix + field + "'; the fields are " + names);
      }
    }
  }
}
