package dev.pipeline.hasher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.pipeline.core.message.HashJob;
import dev.pipeline.core.message.HashResult;
import dev.pipeline.core.net.AddressPolicy;
import dev.pipeline.core.runtime.RetriableJobException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HasherTest {
  @TempDir Path dir;
  private Path root;
  private CorePool cores;
  private HttpServer server;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectories(dir.resolve("root"));
    cores = new CorePool(1);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/abc", exchange -> respond(exchange, 200, "abc"));
    server.createContext("/missing", exchange -> respond(exchange, 404, "no"));
    server.createContext("/broken", exchange -> respond(exchange, 503, "later"));
    server.createContext(
        "/redirect-to-abc",
        exchange -> {
          exchange.getResponseHeaders().add("Location", "/abc");
          respond(exchange, 302, "");
        });
    server.createContext("/big", exchange -> respond(exchange, 200, "x".repeat(5000)));
    server.start();
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
    cores.close();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private Hasher hasher(AddressPolicy policy) {
    return hasher(List.of(root), policy);
  }

  private Hasher hasher(List<Path> roots, AddressPolicy policy) {
    return new Hasher("w1", HashRoots.of(roots), cores, new UrlFetcher(policy, 4096, "test"));
  }

  private static HashJob job(
      HashJob.Kind kind, String value, List<String> algorithms, String expected) {
    return new HashJob(
        1, "j1", new HashJob.Source(kind, value), algorithms, expected, Instant.now());
  }

  private HashResult hash(HashJob job) throws Exception {
    return hasher(AddressPolicy.ANY).hash(job).get(30, TimeUnit.SECONDS);
  }

  private HashResult hashFile(String path) throws Exception {
    return hash(job(HashJob.Kind.FILE, path, List.of(), null));
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void inlineTextGetsTheStandardTestVectors() throws Exception {
    HashResult result =
        hash(job(HashJob.Kind.TEXT, "abc", List.of("SHA-256", "SHA-1", "MD5"), null));
    assertThat(result.digests())
        .containsEntry(
            "SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        .containsEntry("SHA-1", "a9993e364706816aba3e25717850c26c9cd0d89d")
        .containsEntry("MD5", "900150983cd24fb0d6963f7d28e17f72");
    assertThat(result.size()).isEqualTo(3);
    assertThat(result.worker()).isEqualTo("w1");
    assertThat(result.error()).isNull();
    assertThat(result.verified()).isNull();
  }

  @Test
  void base64IsDecodedBeforeHashing() throws Exception {
    HashResult result = hash(job(HashJob.Kind.BASE64, "YWJj", List.of(), null));
    assertThat(result.digests())
        .containsOnlyKeys("SHA-256")
        .containsEntry(
            "SHA-256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void expectedDigestIsVerifiedCaseInsensitively() throws Exception {
    String good = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    assertThat(hash(job(HashJob.Kind.TEXT, "abc", List.of(), good)).verified()).isTrue();
    assertThat(hash(job(HashJob.Kind.TEXT, "abd", List.of(), good)).verified()).isFalse();
  }

  @Test
  void filesLargerThanASliceHashLikeOneStream() throws Exception {
    byte[] content = new byte[(int) (CorePool.SLICE_BYTES * 2 + 12345)];
    new Random(7).nextBytes(content);
    Path file = Files.write(root.resolve("big.bin"), content);
    HashResult result =
        hash(job(HashJob.Kind.FILE, file.toString(), List.of("SHA-256", "MD5"), null));
    assertThat(result.error()).isNull();
    assertThat(result.size()).isEqualTo(content.length);
    assertThat(result.digests().get("SHA-256")).isEqualTo(sha256(content));
    assertThat(result.digests().get("MD5"))
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content)));
    assertThat(result.mtime()).isEqualTo(Files.getLastModifiedTime(file).toInstant());
    assertThat(result.source()).isEqualTo(file.toString());
  }

  @Test
  void emptyFileHasTheEmptyDigest() throws Exception {
    Path file = Files.createFile(root.resolve("empty"));
    assertThat(hashFile(file.toString()).digests().get("SHA-256"))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void aSmallFileQueuedBehindAHugeOneFinishesFirst() throws Exception {
    Path huge = Files.write(root.resolve("huge"), new byte[(int) (CorePool.SLICE_BYTES * 6)]);
    Path small = Files.writeString(root.resolve("small"), "small");
    Hasher hasher = hasher(AddressPolicy.ANY);
    CompletableFuture<HashResult> first =
        hasher.hash(job(HashJob.Kind.FILE, huge.toString(), List.of(), null));
    CompletableFuture<HashResult> second =
        hasher.hash(job(HashJob.Kind.FILE, small.toString(), List.of(), null));
    second.get(30, TimeUnit.SECONDS);
    // One core thread: the small file got its turn after the huge file's first slice.
    assertThat(first).isNotDone();
    assertThat(first.get(60, TimeUnit.SECONDS).error()).isNull();
  }

  @Test
  void pathsThatEscapeTheRootsAreRefused() throws Exception {
    Path outside = Files.writeString(dir.resolve("secret.txt"), "secret");
    Files.createSymbolicLink(root.resolve("escape"), outside);
    Files.createSymbolicLink(root.resolve("escape-dir"), dir);
    assertThat(hashFile(root + "/../secret.txt").error())
        .contains("is outside this worker's roots")
        .contains("really " + outside.toRealPath());
    assertThat(hashFile(outside.toString()).error()).contains("is outside this worker's roots");
    assertThat(hashFile(root.resolve("escape").toString()).error())
        .contains("is outside this worker's roots");
    assertThat(hashFile(root.resolve("escape-dir/secret.txt").toString()).error())
        .contains("is outside this worker's roots");
    assertThat(hashFile("relative/file").error())
        .isEqualTo("file paths must be absolute: relative/file");
    assertThat(hashFile(root.resolve("nope").toString()).error()).startsWith("no such file");
    assertThat(hashFile(root + "/bad\0name").error()).startsWith("not a valid path");
  }

  @Test
  void aFolderSwappedForALinkOutsideIsRefusedAtOnce() throws Exception {
    Path folder = Files.createDirectories(root.resolve("a/b"));
    Files.writeString(folder.resolve("file.txt"), "abc");
    Path outside = Files.createDirectories(dir.resolve("outside/b"));
    Files.writeString(outside.resolve("file.txt"), "secret");
    String path = folder.resolve("file.txt").toString();
    assertThat(hashFile(path).error()).isNull();

    Files.move(root.resolve("a"), dir.resolve("moved-away"));
    Files.createSymbolicLink(root.resolve("a"), dir.resolve("outside"));

    assertThat(hashFile(path).error())
        .contains("is outside this worker's roots")
        .contains("really " + outside.resolve("file.txt").toRealPath());
  }

  @Test
  void symlinksThatStayInsideTheRootsAreFollowed() throws Exception {
    Path target = Files.writeString(root.resolve("target.txt"), "abc");
    Path link = Files.createSymbolicLink(root.resolve("link"), target);
    HashResult result = hashFile(link.toString());
    assertThat(result.error()).isNull();
    assertThat(result.digests().get("SHA-256"))
        .isEqualTo(sha256("abc".getBytes(StandardCharsets.UTF_8)));
    Files.createSymbolicLink(root.resolve("linked-folder"), root);
    assertThat(hashFile(root + "/linked-folder/target.txt").digests()).isEqualTo(result.digests());
    // ".." leaves the folder the link leads to (the root), not the link's: as the kernel does.
    assertThat(hashFile(root + "/./linked-folder/../root/target.txt").digests())
        .isEqualTo(result.digests());
  }

  @Test
  void directoriesFifosAndDevicesAreRefused() throws Exception {
    Path fifo = root.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    assertThat(hashFile(fifo.toString()).error())
        .isEqualTo(fifo + " is a FIFO, socket or device, not a regular file");
    assertThat(hashFile(root.toString()).error()).contains("is a directory");
    Hasher devices = hasher(List.of(Path.of("/dev")), AddressPolicy.ANY);
    assertThat(devices.hash(job(HashJob.Kind.FILE, "/dev/zero", List.of(), null)).get().error())
        .contains("is a FIFO, socket or device");
  }

  @Test
  void aFileThatFailsToReadGetsAnErrorResult() throws Exception {
    // /proc/self/mem is a regular file that even root cannot read from offset 0.
    Hasher proc = hasher(List.of(Path.of("/proc/self")), AddressPolicy.ANY);
    HashResult result =
        proc.hash(job(HashJob.Kind.FILE, "/proc/self/mem", List.of(), null))
            .get(30, TimeUnit.SECONDS);
    assertThat(result.error()).startsWith("cannot read /proc/self/mem");
    assertThat(result.digests()).isEmpty();
  }

  @Test
  void aWorkerWithoutRootsRefusesEveryFile() throws Exception {
    Hasher none = hasher(List.of(), AddressPolicy.ANY);
    assertThat(none.hash(job(HashJob.Kind.FILE, "/etc/hostname", List.of(), null)).get().error())
        .contains("started without --root");
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void urlBodiesAreStreamedThroughTheDigestsAndRedirectsFollowed() throws Exception {
    HashResult result = hash(job(HashJob.Kind.URL, url("/redirect-to-abc"), List.of(), null));
    assertThat(result.error()).isNull();
    assertThat(result.size()).isEqualTo(3);
    assertThat(result.digests().get("SHA-256"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void urlsOnPrivateAddressesAreRefusedUnlessAllowed() throws Exception {
    HashResult result =
        hasher(AddressPolicy.PUBLIC_ONLY)
            .hash(job(HashJob.Kind.URL, url("/abc"), List.of(), null))
            .get(30, TimeUnit.SECONDS);
    assertThat(result.error()).contains("127.0.0.1 is a loopback address");
    assertThat(result.digests()).isEmpty();
  }

  @Test
  void clientErrorsAndOversizedBodiesAreResultsServerErrorsAreRetried() throws Exception {
    assertThat(hash(job(HashJob.Kind.URL, url("/missing"), List.of(), null)).error())
        .startsWith("HTTP 404 from");
    assertThat(hash(job(HashJob.Kind.URL, url("/big"), List.of(), null)).error())
        .contains("larger than the 4096-byte limit");
    assertThatThrownBy(() -> hash(job(HashJob.Kind.URL, url("/broken"), List.of(), null)))
        .isInstanceOf(RetriableJobException.class)
        .hasMessageStartingWith("HTTP 503 from");
  }
}
