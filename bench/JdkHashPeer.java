import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A peer for bench/hash.sh: the same JDK's SHA-256 over the same files, read the way the hasher
 * reads them (1 MiB direct buffer), on N threads taking files from one queue, with no Kafka, no
 * broker and no CLI. What this machine gives Java hashing on one core and on two, so the
 * hasher's 1 -> 2 process scaling can be read against it. Prints the seconds of one timed pass,
 * after one untimed pass that lets the JIT compile the digest loop.
 *
 * <p>{@code java bench/JdkHashPeer.java THREADS FILE...}
 */
public final class JdkHashPeer {
  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[0]);
    List<Path> files = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      files.add(Path.of(args[i]));
    }
    pass(threads, files.subList(0, 1));
    long start = System.nanoTime();
    pass(threads, files);
    System.out.printf("%.3f%n", (System.nanoTime() - start) / 1e9);
  }

  private static void pass(int threads, List<Path> files) throws InterruptedException {
    ConcurrentLinkedQueue<Path> queue = new ConcurrentLinkedQueue<>(files);
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
                    try {
                      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                      for (Path file; (file = queue.poll()) != null; ) {
                        try (FileChannel channel = FileChannel.open(file)) {
                          long at = 0;
                          for (int n; (n = channel.read(buffer.clear(), at)) > 0; at += n) {
                            sha256.update(buffer.flip());
                          }
                        }
                        sha256.digest();
                      }
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  }));
    }
    for (Thread thread : running) {
      thread.join();
    }
  }
}
