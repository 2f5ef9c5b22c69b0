package dev.pipeline.hasher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hashes files on one platform thread per core. Files are read in slices; after each slice the file
 * goes to the back of the queue, so a few huge files take turns with the small ones instead of
 * holding every core until they end. Memory is one buffer per thread, whatever the file sizes.
 */
final class CorePool implements AutoCloseable {
  static final int BUFFER_BYTES = 1 << 20;
  static final long SLICE_BYTES = 16L << 20;
  static final long MAP_AT_LEAST_BYTES = 4L << 20;
  // Mappings are released by the garbage collector: large windows keep their number small.
  static final long WINDOW_BYTES = 256L << 20;

  private final ExecutorService threads;
  private final ThreadLocal<ByteBuffer> buffers =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(BUFFER_BYTES));

  /** What hashing a file found: the bytes read and their digests. */
  record FileDigest(long size, Map<String, String> digests) {}

  CorePool(int threads) {
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "hasher-core-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Hashes the file at {@code realPath} (already checked against the roots). */
  CompletableFuture<FileDigest> hash(Path realPath, List<String> algorithms) {
    FileTask task = new FileTask(realPath, new Digests(algorithms));
    threads.execute(task);
    return task.done;
  }

  private final class FileTask implements Runnable {
    private final Path path;
    private final Digests digests;
    private final CompletableFuture<FileDigest> done = new CompletableFuture<>();
    // Opened on the first turn, so queued jobs hold no file descriptors.
    private FileChannel channel;
    // Large files are mapped window by window: no copy through the kernel, about 1.5x the rate of
    // read() here. Bytes past the mapped size (a file that grew) are read.
    private long mappedSize;
    private MappedByteBuffer window;

    FileTask(Path path, Digests digests) {
      this.path = path;
      this.digests = digests;
    }

    @Override
    public void run() {
      try {
        if (channel == null) {
          // NOFOLLOW_LINKS: the path was resolved and checked; a symlink swapped in since is
          // refused.
          channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
          long size = channel.size();
          mappedSize = size >= MAP_AT_LEAST_BYTES ? size : 0;
        }
        ByteBuffer buffer = buffers.get();
        long sliceEnd = digests.bytes() + SLICE_BYTES;
        while (digests.bytes() < sliceEnd) {
          int read = digests.bytes() < mappedSize ? fromWindow(buffer) : fromChannel(buffer);
          if (read < 0) {
            channel.close();
            done.complete(new FileDigest(digests.bytes(), digests.finish()));
            return;
          }
          digests.update(buffer.array(), 0, read);
        }
        threads.execute(this);
      } catch (IOException | RuntimeException e) {
        closeQuietly();
        done.completeExceptionally(e);
      } catch (InternalError e) {
        // A mapped file truncated under us faults on access.
        closeQuietly();
        done.completeExceptionally(new IOException("the file shrank while it was hashed", e));
      }
    }

    private int fromWindow(ByteBuffer buffer) throws IOException {
      if (window == null || !window.hasRemaining()) {
        long position = digests.bytes();
        window =
            channel.map(
                FileChannel.MapMode.READ_ONLY,
                position,
                Math.min(WINDOW_BYTES, mappedSize - position));
      }
      int length = Math.min(buffer.capacity(), window.remaining());
      window.get(buffer.array(), 0, length);
      return length;
    }

    private int fromChannel(ByteBuffer buffer) throws IOException {
      buffer.clear();
      return channel.read(buffer, digests.bytes());
    }

    private void closeQuietly() {
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException ignored) {
        // the job already failed with the first error
      }
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
