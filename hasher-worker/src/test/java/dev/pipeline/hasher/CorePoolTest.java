package dev.pipeline.hasher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order in which one core thread takes files' slices. Each test first holds the thread on a
 * FIFO with no writer (opening it blocks), queues files behind it, then lets it go, so the queue's
 * order alone decides what runs.
 */
class CorePoolTest {
  private static final List<String> SHA256 = List.of("SHA-256");

  @TempDir Path dir;
  private CorePool pool;
  private Path gate;

  @BeforeEach
  void setUp() throws Exception {
    pool = new CorePool(1);
    gate = dir.resolve("gate");
    assertThat(new ProcessBuilder("mkfifo", gate.toString()).start().waitFor()).isZero();
  }

  @AfterEach
  void tearDown() {
    pool.close();
  }

  /**
   * Holds the pool's thread: it blocks opening the FIFO until {@link #open} opens its other end.
   */
  private CompletableFuture<CorePool.FileDigest> closeGate() {
    return pool.hash(gate, 0, SHA256);
  }

  private void open(CompletableFuture<CorePool.FileDigest> closed) throws Exception {
    Files.newOutputStream(gate).close();
    // The open returns and the read fails (a FIFO cannot be read at a position): either way the
    // thread is free.
    closed.handle((digest, error) -> digest).get(30, TimeUnit.SECONDS);
  }

  private Path file(String name, long bytes, int seed) throws IOException {
    byte[] content = new byte[Math.toIntExact(bytes)];
    new Random(seed).nextBytes(content);
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void ofTwoLargeFilesOneRunsToItsEndBeforeTheOtherBegins() throws Exception {
    long size = CorePool.SLICE_BYTES * 4;
    Path first = file("first", size, 1);
    Path second = file("second", size, 2);
    byte[] rewritten = new byte[Math.toIntExact(size)];
    new Random(3).nextBytes(rewritten);
    CompletableFuture<CorePool.FileDigest> gateDone = closeGate();
    CompletableFuture<CorePool.FileDigest> firstDone = pool.hash(first, size, SHA256);
    // Runs on the pool's thread as the first file ends, before the thread takes another slice: if
    // the second file had been begun, its digest would mix the old bytes with the new.
    CompletableFuture<Void> secondRewritten = firstDone.thenRun(() -> overwrite(second, rewritten));
    CompletableFuture<CorePool.FileDigest> secondDone = pool.hash(second, size, SHA256);
    open(gateDone);

    secondRewritten.get(30, TimeUnit.SECONDS);
    assertThat(secondDone.get(30, TimeUnit.SECONDS).digests().get("SHA-256"))
        .as("the second file was read only after the first ended")
        .isEqualTo(sha256(rewritten));
  }

  @Test
  void aLargeFileIsNotStarvedByAStreamOfSmallOnes() throws Exception {
    long large = CorePool.SLICE_BYTES * 3;
    long small = 1 << 20;
    Path largeFile = file("large", large, 1);
    Path smallFile = file("small", small, 2);
    int smallFiles = 200; // 200 MiB, four times the large file
    CompletableFuture<CorePool.FileDigest> gateDone = closeGate();
    CompletableFuture<CorePool.FileDigest> largeDone = pool.hash(largeFile, large, SHA256);
    // Each small file is submitted as the one before ends: a stream that never lets the queue
    // empty. Without a bound on the large file's wait it would end after all of them.
    AtomicInteger smallBeforeLarge = new AtomicInteger(-1);
    CompletableFuture<Void> stream = new CompletableFuture<>();
    CompletableFuture<CorePool.FileDigest> firstSmall = pool.hash(smallFile, small, SHA256);
    chain(firstSmall, smallFile, small, 1, smallFiles, largeDone, smallBeforeLarge, stream);
    open(gateDone);

    stream.get(60, TimeUnit.SECONDS);
    assertThat(smallBeforeLarge.get())
        .as("small files hashed before the large one ended")
        .isBetween(1, smallFiles - 1);
  }

  @Test
  void aFileIsReadToItsEndWhateverItsSizeWhenChecked() throws Exception {
    Path grown = file("grown", CorePool.BUFFER_BYTES * 2 + 10, 4);
    Path shrunk = file("shrunk", 10, 5);
    Path exact = file("exact", CorePool.BUFFER_BYTES, 6);

    assertThat(pool.hash(grown, 100, SHA256).get(30, TimeUnit.SECONDS))
        .as("checked at 100 bytes, then grew")
        .isEqualTo(digestOf(grown));
    assertThat(pool.hash(shrunk, CorePool.BUFFER_BYTES * 3, SHA256).get(30, TimeUnit.SECONDS))
        .as("checked at 3 MiB, then shrank")
        .isEqualTo(digestOf(shrunk));
    assertThat(pool.hash(exact, CorePool.BUFFER_BYTES, SHA256).get(30, TimeUnit.SECONDS))
        .as("a buffer's size exactly")
        .isEqualTo(digestOf(exact));
  }

  private static CorePool.FileDigest digestOf(Path file) throws Exception {
    byte[] content = Files.readAllBytes(file);
    return new CorePool.FileDigest(content.length, Map.of("SHA-256", sha256(content)));
  }

  private void chain(
      CompletableFuture<CorePool.FileDigest> previous,
      Path file,
      long size,
      int done,
      int total,
      CompletableFuture<CorePool.FileDigest> large,
      AtomicInteger smallBeforeLarge,
      CompletableFuture<Void> stream) {
    previous.whenComplete(
        (digest, error) -> {
          if (error != null) {
            stream.completeExceptionally(error);
          } else if (large.isDone() && smallBeforeLarge.get() < 0) {
            smallBeforeLarge.set(done - 1);
          }
          if (error == null && done == total) {
            stream.complete(null);
          } else if (error == null) {
            chain(
                pool.hash(file, size, SHA256),
                file,
                size,
                done + 1,
                total,
                large,
                smallBeforeLarge,
                stream);
          }
        });
  }

  private static void overwrite(Path file, byte[] content) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.wrap(content), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] content) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
