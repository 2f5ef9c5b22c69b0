package dev.pipeline.cli;

import dev.pipeline.core.message.LogLines;
import dev.pipeline.core.runtime.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;

/**
 * Publishes the lines of a log file the way Filebeat does: from where the last run stopped, on
 * through appends (with {@code follow}), across rotation (the path now names a new file: the old
 * one is read to its end first) and truncation (the file starts over). The position saved in the
 * registry only ever covers lines Kafka acknowledged, so a restart neither skips nor repeats a
 * line; and each line's event id comes from the file, its truncation count and the line's byte
 * offset, so even a line resent after a crash is stored once.
 */
final class FileTailer {
  private static final long SAVE_INTERVAL_NANOS = 1_000_000_000L;

  private final Path path;
  private final Path registry;
  private final Sender sender;
  private final LinePublisher lines;
  private final BooleanSupplier stop;

  // Lines handed to Kafka and not yet acknowledged: byte offset -> lines before it.
  private final ConcurrentSkipListMap<Long, Long> pending = new ConcurrentSkipListMap<>();

  /** The file being read. */
  private static final class Open implements AutoCloseable {
    final FileChannel channel;
    final String key;
    long generation;
    long lines;
    long lastEnd;

    Open(FileChannel channel, String key, long generation, long offset, long lines) {
      this.channel = channel;
      this.key = key;
      this.generation = generation;
      this.lastEnd = offset;
      this.lines = lines;
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** What a run did. */
  record Summary(long invalid) {}

  FileTailer(
      Path path,
      Path registryDirectory,
      Sender sender,
      String topic,
      LogLines.Format format,
      String service,
      String host,
      BooleanSupplier stop) {
    this.path = path;
    this.registry = TailPosition.registryFile(registryDirectory, path);
    this.sender = sender;
    this.lines = new LinePublisher(sender, topic, format, service, host);
    this.stop = stop;
  }

  Summary run(boolean follow) throws IOException, InterruptedException {
    Open file = resume();
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    long readPosition = file.lastEnd;
    long lineStart = file.lastEnd;
    long nextSave = System.nanoTime() + SAVE_INTERVAL_NANOS;
    ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
    try {
      while (!stop.getAsBoolean()) {
        buffer.clear();
        int n = file.channel.read(buffer, readPosition);
        if (n > 0) {
          byte[] bytes = buffer.array();
          int from = 0;
          for (int i = 0; i < n; i++) {
            if (bytes[i] == '\n') {
              partial.write(bytes, from, i - from);
              long end = readPosition + i + 1;
              emit(file, partial.toByteArray(), lineStart, end);
              partial.reset();
              lineStart = end;
              from = i + 1;
            }
          }
          partial.write(bytes, from, n - from);
          readPosition += n;
        } else if (!follow) {
          if (partial.size() > 0) {
            emit(file, partial.toByteArray(), lineStart, readPosition);
          }
          break;
        } else {
          Optional<String> current = fileKey(path);
          if (current.isPresent() && !current.get().equals(file.key)) {
            // Rotated: the old file has been read to its end. Its lines are acknowledged before
            // the saved position moves on to the new file.
            if (partial.size() > 0) {
              emit(file, partial.toByteArray(), lineStart, readPosition);
              partial.reset();
            }
            sender.flush();
            file.close();
            file = open(0, 0, 0);
            readPosition = lineStart = 0;
            save(file);
            continue;
          }
          if (current.isPresent() && Files.size(path) < readPosition) {
            // Truncated in place: read it again from the start, as a new generation.
            sender.flush();
            partial.reset();
            file.generation++;
            file.lines = 0;
            file.lastEnd = 0;
            readPosition = lineStart = 0;
            save(file);
            continue;
          }
          Thread.sleep(200);
        }
        if (System.nanoTime() > nextSave) {
          save(file);
          nextSave = System.nanoTime() + SAVE_INTERVAL_NANOS;
        }
      }
    } finally {
      sender.flush();
      save(file);
      file.close();
    }
    return new Summary(lines.invalid());
  }

  /** Opens the file where the registry says the last run stopped, or from the start. */
  private Open resume() throws IOException {
    Optional<TailPosition> saved = TailPosition.load(registry);
    String key = fileKey(path).orElseThrow(() -> new CliException("no such file: " + path));
    if (saved.isPresent() && saved.get().fileKey().equals(key)) {
      TailPosition position = saved.get();
      if (Files.size(path) >= position.offset()) {
        return open(position.generation(), position.offset(), position.line());
      }
      return open(position.generation() + 1, 0, 0); // truncated while we were away
    }
    return open(0, 0, 0);
  }

  private Open open(long generation, long offset, long lines) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + path);
    }
    String key = fileKey(path).orElseThrow(() -> new CliException("no such file: " + path));
    return new Open(channel, key, generation, offset, lines);
  }

  private void emit(Open file, byte[] bytes, long start, long end) {
    long lineNumber = ++file.lines;
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    pending.put(start, lineNumber - 1);
    file.lastEnd = end;
    // A line Kafka refused stays pending, so the saved position never passes it.
    lines
        .publish(
            text,
            bytes,
            eventId(file, start),
            new DeadLetter.Origin("file:" + path.toAbsolutePath(), -1, start),
            path + ":" + lineNumber)
        .thenRun(() -> pending.remove(start));
  }

  /** Prints how many lines went to the dead-letter topic, if any did. */
  void printSummary() {
    lines.printSummary();
  }

  private void save(Open file) {
    var first = pending.firstEntry();
    long offset = first == null ? file.lastEnd : first.getKey();
    long lines = first == null ? file.lines : first.getValue();
    new TailPosition(path.toAbsolutePath().toString(), file.key, file.generation, offset, lines)
        .save(registry);
  }

  private static String eventId(Open file, long start) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (file.key + "|" + file.generation + "|" + start)
                      .getBytes(StandardCharsets.UTF_8));
      return "file-" + HexFormat.of().formatHex(digest, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Returns the identity of the file at {@code path} (device and inode), or empty if there is none.
   */
  static Optional<String> fileKey(Path path) {
    try {
      Object key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
      return Optional.of(String.valueOf(key));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
