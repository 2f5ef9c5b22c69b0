package dev.pipeline.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How far a tailed file has been published, kept in {@code .pipeline/tail/} so a restarted tailer
 * neither sends a line twice nor skips one.
 *
 * @param path the tailed path
 * @param fileKey the file's identity (device and inode): a rotated file has a new one
 * @param generation how often this file was truncated; part of each line's event id
 * @param offset bytes up to the end of the last line Kafka acknowledged
 * @param line lines up to that offset
 */
record TailPosition(String path, String fileKey, long generation, long offset, long line) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Returns the registry file for {@code path} under {@code directory}. */
  static Path registryFile(Path directory, Path path) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  path.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return directory.resolve(HexFormat.of().formatHex(digest, 0, 12) + ".json");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static Optional<TailPosition> load(Path registry) {
    if (!Files.exists(registry)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(registry.toFile(), TailPosition.class));
    } catch (IOException e) {
      throw new CliException(
          registry + " is unreadable (" + e.getMessage() + "); delete it to start the file over");
    }
  }

  void save(Path registry) {
    try {
      Files.createDirectories(registry.getParent());
      Path tmp = registry.resolveSibling(registry.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(
          tmp, registry, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + registry, e);
    }
  }
}
