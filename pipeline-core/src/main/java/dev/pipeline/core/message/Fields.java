package dev.pipeline.core.message;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Field checks the message records run in their constructors; each failure names the field. */
final class Fields {
  /** The schema version every message carries; a reader refuses versions it does not know. */
  static final int SCHEMA_VERSION = 1;

  static final int MAX_ID = 128;
  static final int MAX_NAME = 256;
  static final int MAX_URL = 4096;
  static final int MAX_TEXT = 64 * 1024;

  private Fields() {}

  static int version(int v) {
    if (v != SCHEMA_VERSION) {
      throw new IllegalArgumentException(
          "unsupported schema version v=" + v + " (this build reads v=" + SCHEMA_VERSION + ")");
    }
    return v;
  }

  static String text(@Nullable String value, String field, int maxLength) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return optionalText(value, field, maxLength);
  }

  static @Nullable String optionalText(@Nullable String value, String field, int maxLength) {
    if (value != null && value.length() > maxLength) {
      throw new IllegalArgumentException(
          field + " is longer than " + maxLength + " characters: " + value.length());
    }
    return value;
  }

  static <T> T required(@Nullable T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  static int atLeast(int value, int min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ": " + value);
    }
    return value;
  }

  static long atLeast(long value, long min, String field) {
    if (value < min) {
      throw new IllegalArgumentException(field + " must be at least " + min + ": " + value);
    }
    return value;
  }

  /** Returns an absolute http or https URL, or throws with the reason. */
  static String httpUrl(@Nullable String value, String field) {
    String url = text(value, field, MAX_URL);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + " is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(field + " must be an http or https URL: " + url);
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(field + " has no host: " + url);
    }
    return url;
  }

  static <T> List<T> list(@Nullable List<T> values, String field, int maxSize) {
    if (values == null) {
      return List.of();
    }
    if (values.size() > maxSize) {
      throw new IllegalArgumentException(
          field + " has more than " + maxSize + " entries: " + values.size());
    }
    for (T value : values) {
      if (value == null) {
        throw new IllegalArgumentException(field + " contains null");
      }
    }
    return List.copyOf(values);
  }
}
