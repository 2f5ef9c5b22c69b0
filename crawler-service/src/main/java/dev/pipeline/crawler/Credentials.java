package dev.pipeline.crawler;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The credentials this crawler process holds, by name. A crawl names one; the user name and
 * password stay here: from {@code PIPELINE_CREDENTIAL_<NAME>_USERNAME} / {@code _PASSWORD}
 * environment variables, or from a secrets file ({@code <name>.username=...}, {@code
 * <name>.password=...}) that only its owner may read.
 */
final class Credentials {
  private static final String ENV_PREFIX = "PIPELINE_CREDENTIAL_";
  private static final Set<PosixFilePermission> OTHERS_MAY_READ =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  /** A user name and password; {@link #toString} never shows the password. */
  record Credential(String username, String password) {
    @Override
    public String toString() {
      return "Credential[" + username + ", password hidden]";
    }
  }

  private final Map<String, Credential> byName;

  private Credentials(Map<String, Credential> byName) {
    this.byName = Map.copyOf(byName);
  }

  static Credentials none() {
    return new Credentials(Map.of());
  }

  /**
   * Reads the environment's credentials and then the secrets file (which wins on a name both give).
   * Throws {@link IllegalArgumentException} when the file can be read by others or a name lacks its
   * user name or password.
   */
  static Credentials load(Map<String, String> env, @Nullable Path secretsFile) throws IOException {
    Map<String, String> parts = new HashMap<>();
    env.forEach(
        (key, value) -> {
          if (key.startsWith(ENV_PREFIX)) {
            parts.put(key.substring(ENV_PREFIX.length()), value);
          }
        });
    Map<String, Credential> byName = new HashMap<>(pair(parts, "PIPELINE_CREDENTIAL_", "_"));
    if (secretsFile != null) {
      byName.putAll(pair(readSecrets(secretsFile), secretsFile + ": ", "."));
    }
    return new Credentials(byName);
  }

  /** The credential of that name, or null when this process holds none. */
  @Nullable Credential get(String name) {
    return byName.get(name.toUpperCase(Locale.ROOT));
  }

  /** Says that {@code worker} holds no credential {@code name}, and how to give it one. */
  static String missing(String worker, String name) {
    return "crawler "
        + worker
        + " holds no credential "
        + name
        + " (set "
        + ENV_PREFIX
        + name.toUpperCase(Locale.ROOT)
        + "_USERNAME and _PASSWORD, or give --secrets-file)";
  }

  int size() {
    return byName.size();
  }

  private static Map<String, String> readSecrets(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--secrets-file " + file + " is not a file");
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (permissions.stream().anyMatch(OTHERS_MAY_READ::contains)) {
      throw new IllegalArgumentException(
          "--secrets-file "
              + file
              + " may be read or written by others ("
              + java.nio.file.attribute.PosixFilePermissions.toString(permissions)
              + "): chmod 600 "
              + file);
    }
    Properties properties = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(in);
    }
    Map<String, String> parts = new HashMap<>();
    for (String key : properties.stringPropertyNames()) {
      parts.put(key.replace('.', '_').toUpperCase(Locale.ROOT), properties.getProperty(key));
    }
    return parts;
  }

  /** Pairs NAME_USERNAME with NAME_PASSWORD; says which half is missing, never the value. */
  private static Map<String, Credential> pair(
      Map<String, String> parts, String where, String separator) {
    Map<String, Credential> byName = new HashMap<>();
    for (String key : parts.keySet()) {
      String name;
      if (key.endsWith("_USERNAME")) {
        name = key.substring(0, key.length() - "_USERNAME".length());
      } else if (key.endsWith("_PASSWORD")) {
        name = key.substring(0, key.length() - "_PASSWORD".length());
      } else {
        throw new IllegalArgumentException(
            where + key + " should end in " + separator + "username or " + separator + "password");
      }
      String username = parts.get(name + "_USERNAME");
      String password = parts.get(name + "_PASSWORD");
      if (username == null || password == null) {
        throw new IllegalArgumentException(
            where
                + "credential "
                + name
                + " has no "
                + (username == null ? "username" : "password"));
      }
      byName.put(name, new Credential(username, password));
    }
    return byName;
  }
}
