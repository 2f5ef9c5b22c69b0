package dev.pipeline.cli;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A CLI that stays up while the pipeline is up, started by {@code pipeline up} and stopped by
 * {@code pipeline down}, that runs the commands {@code bin/pipeline} relays to it ({@link
 * RelayClient}). A fresh JVM spends most of a short command on loading, interpreting and compiling
 * the command's code (hashing 20,000 small files: 1.5 of the CLI's 2.5 CPU-seconds); here that code
 * is loaded and compiled once. It runs one command at a time (a caller that finds it busy runs its
 * command in a JVM of its own), so {@code System.out}, {@code System.err} and {@link Caller} can
 * point at the one caller. Only commands listed in {@link #COMMANDS} come here, and only from a
 * caller with the same {@code PIPELINE_*} environment as this process.
 *
 * <p>It listens on a Unix socket in {@code PIPELINE_HOME/cli/}, a directory only its user may
 * enter: whoever may connect may run commands as that user, which is who may run them anyway.
 */
final class ResidentCli {
  /** The commands run here: those whose speed a warm JVM changes, and which read no stdin. */
  static final List<String> COMMANDS = List.of("hash", "publish hash");

  static boolean runsHere(String[] args) {
    return COMMANDS.stream()
        .map(command -> command.split(" "))
        .anyMatch(
            words ->
                args.length >= words.length
                    && java.util.Arrays.equals(args, 0, words.length, words, 0, words.length));
  }

  private final Layout layout;
  private final Map<String, String> environment;
  private final AtomicBoolean busy = new AtomicBoolean();
  // This process's own streams (its log): System.out and System.err are the caller's meanwhile.
  private final PrintStream log = System.out;
  private final PrintStream logErr = System.err;

  private ResidentCli(Layout layout) {
    this.layout = layout;
    this.environment = RelayClient.pipelineEnvironment(System.getenv());
  }

  public static void main(String[] args) throws IOException {
    HashClients.keepBetweenCommands(true);
    new ResidentCli(Layout.detect()).serve();
  }

  /**
   * Starts one for {@code layout} as a process of its own, logging to {@code logs/cli.log}, unless
   * one answers already, and waits (up to 10 s) until it answers, so that the commands after {@code
   * up} find it.
   */
  static void start(Layout layout) {
    if (answers(layout)) {
      return;
    }
    List<String> arguments = new ArrayList<>(Supervisor.commonJvmOptions());
    arguments.addAll(
        List.of(
            "-Dpipeline.root=" + layout.root(),
            "-cp",
            layout.jar("pipeline-cli").toString(),
            ResidentCli.class.getName()));
    try {
      Process process =
          Supervisor.startJvm(
              layout, SERVICE, arguments, Map.of(), layout.logs().resolve("cli.log"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (process.isAlive() && !answers(layout) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the resident CLI", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The one of {@code layout}, as {@code status} lists processes, if it runs. */
  static Optional<ManagedProcess> running(Layout layout) {
    return process(layout)
        .map(
            p ->
                new ManagedProcess(
                    SERVICE,
                    0,
                    p.pid(),
                    p.info().startInstant().map(Instant::toEpochMilli).orElse(0L),
                    layout.logs().resolve("cli.log").toString(),
                    0,
                    ManagedProcess.startTicksSinceBoot(p.pid())));
  }

  /** Its name in {@code status}. */
  static final String SERVICE = "resident-cli";

  /** Stops the one of {@code layout}, if any, and waits for it to end. */
  static void stop(Layout layout, Duration timeout) {
    process(layout)
        .ifPresent(
            p -> {
              p.destroy();
              try {
                p.onExit().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
              } catch (Exception e) {
                p.destroyForcibly();
              }
            });
  }

  /** The process its pid file names, if that is still a resident CLI (pids are reused). */
  private static Optional<ProcessHandle> process(Layout layout) {
    try {
      return ProcessHandle.of(
              Long.parseLong(Files.readString(layout.home().resolve("cli").resolve("pid")).strip()))
          .filter(p -> p.info().commandLine().orElse("").contains(ResidentCli.class.getName()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty(); // none started, or gone
    }
  }

  private static boolean answers(Layout layout) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(RelayClient.socket(layout)));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void serve() throws IOException {
    Path socket = RelayClient.socket(layout);
    Path dir = socket.getParent();
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Files.deleteIfExists(socket); // left by one that was killed
    Path pid = dir.resolve("pid");
    // Written before it answers: whoever finds it answering finds its pid too.
    Files.writeString(pid, ProcessHandle.current().pid() + "\n");
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    Files.deleteIfExists(socket);
                    Files.deleteIfExists(pid);
                  } catch (IOException e) {
                    // the next one deletes a stale socket
                  }
                },
                "resident-cli-exit"));
    watchPipeline();
    System.out.println("The resident CLI listens on " + socket + " for " + COMMANDS);
    while (true) {
      SocketChannel caller = server.accept();
      // Each request is read in full before it is answered, even one declined: a connection
      // closed on an unread request may lose the answer on its way.
      Thread.ofPlatform().name("caller").start(() -> handle(caller));
    }
  }

  /** Ends this process when the pipeline is gone ('down' from a build without it, a lost state). */
  private void watchPipeline() {
    Thread.ofPlatform()
        .daemon()
        .name("pipeline-watch")
        .start(
            () -> {
              while (Files.exists(layout.stateFile())) {
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
              System.out.println("The pipeline is down: the resident CLI stops");
              System.exit(0);
            });
  }

  private static void decline(SocketChannel caller, String reason) {
    try (caller) {
      RelayClient.writeFrame(
          new DataOutputStream(Channels.newOutputStream(caller)),
          RelayClient.DECLINED,
          reason.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the caller went away
    }
  }

  private void handle(SocketChannel channel) {
    try (channel) {
      DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
      DataOutputStream frames =
          new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
      if (in.readInt() != RelayClient.VERSION) {
        decline(channel, "another version of the protocol");
        return;
      }
      Path dir = Path.of(RelayClient.readText(in));
      boolean terminal = in.readBoolean();
      Map<String, String> env = new java.util.TreeMap<>();
      for (int i = RelayClient.readCount(in); i > 0; i--) {
        env.put(RelayClient.readText(in), RelayClient.readText(in));
      }
      String[] args = new String[RelayClient.readCount(in)];
      for (int i = 0; i < args.length; i++) {
        args[i] = RelayClient.readText(in);
      }
      if (!runsHere(args)) {
        decline(channel, "not a command run here");
        return;
      }
      if (!env.equals(environment)) {
        decline(channel, "PIPELINE_* environment differs from the one 'up' started this with");
        return;
      }
      if (!busy.compareAndSet(false, true)) {
        decline(channel, "busy with another command");
        return;
      }
      try {
        run(dir, terminal, args, in, frames);
      } finally {
        busy.set(false);
      }
    } catch (IOException e) {
      logErr.println("A caller went away: " + e);
    }
  }

  /** Runs one command for the caller, pointing this process's output and {@link Caller} at it. */
  private void run(
      Path dir, boolean terminal, String[] args, DataInputStream in, DataOutputStream frames)
      throws IOException {
    AtomicBoolean running = new AtomicBoolean(true);
    try {
      Interrupts interrupts = new Interrupts();
      watchForCancel(in, interrupts, running);
      PrintStream out = new PrintStream(new FrameStream(frames, RelayClient.OUT), false, "UTF-8");
      PrintStream err = new PrintStream(new FrameStream(frames, RelayClient.ERR), true, "UTF-8");
      System.setOut(out);
      System.setErr(err);
      Caller.set(new Caller(dir, terminal, interrupts));
      String command = "pipeline " + String.join(" ", args);
      log.printf("%s %s (in %s)%n", Instant.now(), command, dir);
      long start = System.nanoTime();
      int exit;
      try {
        var cli = PipelineCli.commandLine(args);
        exit = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
      } catch (RuntimeException | Error e) {
        err.println("pipeline: unexpected error in the resident CLI: " + e);
        exit = 1;
      } finally {
        running.set(false); // before the connection closes: its close is no Ctrl-C
      }
      out.flush();
      err.flush();
      log.printf(
          java.util.Locale.ROOT,
          "%s exit %d in %.2f s: %s%n",
          Instant.now(),
          exit,
          (System.nanoTime() - start) / 1e9,
          command);
      RelayClient.writeFrame(frames, RelayClient.EXIT, ByteBuffer.allocate(4).putInt(exit).array());
    } finally {
      System.setOut(log);
      System.setErr(logErr);
      Caller.set(Caller.PROCESS);
    }
  }

  /**
   * Runs the command's Ctrl-C handlers when the caller sends {@link RelayClient#CANCEL}, or goes
   * away (killed: nobody is left to read the answer).
   */
  private static void watchForCancel(
      DataInputStream in, Interrupts interrupts, AtomicBoolean running) {
    Thread.ofPlatform()
        .daemon()
        .name("cancel-watch")
        .start(
            () -> {
              try {
                in.read();
              } catch (IOException e) {
                // the connection closed under the read
              }
              if (!running.get()) {
                return; // the command ended, and then its connection
              }
              interrupts.cancel();
            });
  }

  /**
   * A command's Ctrl-C handlers. One added after the Ctrl-C runs at once: the command had not
   * reached the point where it can stop gracefully (in a JVM of its own, the Ctrl-C would have
   * ended it there).
   */
  private static final class Interrupts implements Caller.Interrupts {
    private final List<Runnable> handlers = new ArrayList<>();
    private boolean cancelled;

    @Override
    public synchronized void add(Runnable handler) {
      if (cancelled) {
        start(handler);
      } else {
        handlers.add(handler);
      }
    }

    synchronized void cancel() {
      cancelled = true;
      handlers.forEach(Interrupts::start);
    }

    private static void start(Runnable handler) {
      Thread.ofPlatform().name("interrupt").start(handler);
    }
  }

  /** Bytes written to it go to the caller as frames of one kind, a frame per flush. */
  private static final class FrameStream extends OutputStream {
    private final DataOutputStream frames;
    private final byte kind;
    private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

    FrameStream(DataOutputStream frames, byte kind) {
      this.frames = frames;
      this.kind = kind;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      pending.write(b);
      if (pending.size() >= 1 << 16) {
        flush();
      }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
      pending.write(bytes, offset, length);
      if (pending.size() >= 1 << 16) {
        flush();
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      if (pending.size() == 0) {
        return;
      }
      RelayClient.writeFrame(frames, kind, pending.toByteArray());
      pending.reset();
    }
  }
}
