package dev.pipeline.core.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.stream.Collectors;

/**
 * Reads and writes messages as JSON. Reading validates: the record constructors check every field,
 * and any failure becomes an {@link InvalidMessageException} whose message says which field was
 * wrong and why.
 *
 * <pre>{@code
 * MessageCodec codec = MessageCodec.standard();
 * byte[] bytes = codec.encode(event);
 * LogEvent back = codec.decode(bytes, LogEvent.class);
 * }</pre>
 */
public final class MessageCodec {
  /**
   * The largest message the pipeline reads or writes; Kafka's own default record limit is 1 MiB.
   */
  public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private static final MessageCodec STANDARD = new MessageCodec();

  private final ObjectMapper mapper;

  private MessageCodec() {
    // Jackson's default buffer pool is per thread; jobs run on virtual threads, one per job, so
    // every message would allocate its parse or write buffers afresh. A shared pool lends them.
    JsonFactory factory =
        JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxStringLength(MAX_MESSAGE_BYTES)
                    .build())
            .build();
    mapper =
        new ObjectMapper(factory)
            .registerModule(new JavaTimeModule())
            .registerModule(
                new SimpleModule("iso-instant")
                    .addSerializer(Instant.class, new IsoInstantSerializer())
                    .addDeserializer(Instant.class, new IsoInstantDeserializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }

  /** Returns the shared codec; it is thread-safe. */
  public static MessageCodec standard() {
    return STANDARD;
  }

  /** Returns the JSON bytes of a message. */
  public byte[] encode(Object message) {
    try {
      return mapper.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** Returns the message in {@code bytes}, or throws with the reason it is not a valid one. */
  public <T> T decode(byte[] bytes, Class<T> type) {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidMessageException("empty message: expected a JSON " + type.getSimpleName());
    }
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new InvalidMessageException(
          "message is " + bytes.length + " bytes; the limit is " + MAX_MESSAGE_BYTES);
    }
    return mapped(type, () -> mapper.readValue(bytes, type));
  }

  /** Returns the message in a parsed JSON tree, or throws with the reason it is not a valid one. */
  public <T> T decode(JsonNode node, Class<T> type) {
    return mapped(type, () -> mapper.treeToValue(node, type));
  }

  /** Plain values (maps, lists, strings, numbers, as a YAML parser gives them) as a JSON tree. */
  public JsonNode tree(Object value) {
    return mapper.valueToTree(value);
  }

  /** Parses JSON text into a tree, or throws with the parser's reason. */
  public JsonNode parse(String json) {
    try {
      return mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidMessageException("not valid JSON: " + firstLine(e.getOriginalMessage()), e);
    }
  }

  /** Reading that may fail the way Jackson fails. */
  @FunctionalInterface
  private interface Read<T> {
    T read() throws IOException;
  }

  private <T> T mapped(Class<T> type, Read<T> read) {
    try {
      T value = read.read();
      if (value == null) {
        throw new InvalidMessageException(
            "message is JSON null: expected a " + type.getSimpleName());
      }
      return value;
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new InvalidMessageException(
          "invalid " + type.getSimpleName() + ": " + cause.getMessage(), e);
    } catch (InvalidFormatException e) {
      throw new InvalidMessageException(
          "invalid "
              + type.getSimpleName()
              + ": field "
              + path(e)
              + " has a value of the wrong type or form: "
              + e.getValue(),
          e);
    } catch (MismatchedInputException e) {
      throw new InvalidMessageException(
          "invalid "
              + type.getSimpleName()
              + ": field "
              + path(e)
              + " "
              + firstLine(e.getOriginalMessage()),
          e);
    } catch (JsonProcessingException e) {
      throw new InvalidMessageException("not valid JSON: " + firstLine(e.getOriginalMessage()), e);
    } catch (IOException e) {
      throw new InvalidMessageException("unreadable message: " + e.getMessage(), e);
    }
  }

  private static String path(JsonMappingException e) {
    String path =
        e.getPath().stream()
            .map(
                ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining("."));
    return path.isEmpty() ? "(root)" : path;
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
