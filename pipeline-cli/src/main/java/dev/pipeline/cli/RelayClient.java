package dev.pipeline.cli;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code bin/pipeline} runs when a resident CLI is up ({@link ResidentCli}): sends it the
 * command, the working directory and the {@code PIPELINE_*} environment, copies what the command
 * prints to this process's stdout and stderr, passes Ctrl-C on, and exits with the command's code.
 * It loads a few classes where the command itself loads thousands: a fresh JVM spends most of a
 * short command's CPU loading, interpreting and compiling them. Exits with {@link #NOT_RELAYED},
 * having printed nothing, when there is no resident CLI to take the command, so that the script
 * runs it in a JVM of its own.
 */
final class RelayClient {
  /** Exit code: the command was not relayed (no resident CLI, or it declined), nothing was run. */
  static final int NOT_RELAYED = 75;

  // Frames from the resident CLI: a kind byte, then a length and that many bytes.
  static final byte OUT = 1;
  static final byte ERR = 2;
  static final byte EXIT = 3;
  static final byte DECLINED = 4;

  /** The one byte the client sends after its request: the user pressed Ctrl-C. */
  static final byte CANCEL = 9;

  /** The protocol's version, first in a request. */
  static final int VERSION = 1;

  static Path socket(Layout layout) {
    return layout.home().resolve("cli").resolve("cli.sock");
  }

  /** This process's environment as a command sees it: the {@code PIPELINE_*} variables. */
  static Map<String, String> pipelineEnvironment(Map<String, String> env) {
    Map<String, String> pipeline = new TreeMap<>();
    env.forEach(
        (name, value) -> {
          if (name.startsWith("PIPELINE_")) {
            pipeline.put(name, value);
          }
        });
    return pipeline;
  }

  public static void main(String[] args) {
    AotRecording.markAtExit();
    int exit = relay(args);
    AotRecording.exit(exit);
    System.exit(exit);
  }

  private static int relay(String[] args) {
    SocketChannel channel;
    try {
      channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      channel.connect(UnixDomainSocketAddress.of(socket(Layout.detect())));
    } catch (IOException | RuntimeException e) {
      return NOT_RELAYED; // none up (a socket left by one killed refuses the connection)
    }
    DataOutputStream request =
        new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
    try {
      request.writeInt(VERSION);
      writeText(request, Path.of("").toAbsolutePath().toString());
      request.writeBoolean(System.console() != null);
      Map<String, String> env = pipelineEnvironment(System.getenv());
      request.writeInt(env.size());
      for (Map.Entry<String, String> variable : env.entrySet()) {
        writeText(request, variable.getKey());
        writeText(request, variable.getValue());
      }
      request.writeInt(args.length);
      for (String arg : args) {
        writeText(request, arg);
      }
      request.flush();
    } catch (IOException e) {
      close(channel);
      return NOT_RELAYED; // not taken in full, so not run
    }
    try (channel) {
      return copyFrames(new DataInputStream(Channels.newInputStream(channel)), request);
    } catch (IOException e) {
      // The resident CLI went away mid-command (killed): what it ran is unknown.
      System.err.println(
          "pipeline: the resident CLI stopped during the command: " + e.getMessage());
      return 1;
    }
  }

  private static void close(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing more to say to it
    }
  }

  /**
   * Copies the command's output until its exit code arrives. A Ctrl-C meanwhile is sent on as
   * {@link #CANCEL}: the command stops as it would in a JVM of its own, and its last output and
   * exit code still come through before this process ends.
   */
  private static int copyFrames(DataInputStream frames, DataOutputStream request)
      throws IOException {
    CountDownLatch ended = new CountDownLatch(1);
    AtomicInteger exit = new AtomicInteger(NOT_RELAYED);
    Thread interrupt =
        new Thread(
            () -> {
              try {
                synchronized (request) {
                  request.writeByte(CANCEL);
                  request.flush();
                }
                ended.await(30, TimeUnit.SECONDS);
              } catch (IOException e) {
                // gone already
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              System.out.flush();
              Runtime.getRuntime().halt(exit.get() == NOT_RELAYED ? 130 : exit.get());
            },
            "relay-interrupt");
    Runtime.getRuntime().addShutdownHook(interrupt);
    while (true) {
      byte kind = frames.readByte();
      int length = frames.readInt();
      byte[] bytes = frames.readNBytes(length);
      switch (kind) {
        case OUT -> write(System.out, bytes);
        case ERR -> write(System.err, bytes);
        case EXIT -> {
          exit.set(ByteBuffer.wrap(bytes).getInt());
          System.out.flush();
          ended.countDown();
          forget(interrupt);
          return exit.get();
        }
        case DECLINED -> {
          if (System.getenv("PIPELINE_DEBUG") != null) {
            System.err.println(
                "pipeline: the resident CLI declined: "
                    + new String(bytes, StandardCharsets.UTF_8));
          }
          forget(interrupt);
          return NOT_RELAYED;
        }
        default -> throw new IOException("unknown frame " + kind);
      }
    }
  }

  /** Removes the Ctrl-C hook, unless a Ctrl-C is being handled (then it ends the process). */
  private static void forget(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook halts with the exit code just received
    }
  }

  private static void write(OutputStream stream, byte[] bytes) {
    try {
      stream.write(bytes);
      stream.flush();
    } catch (IOException e) {
      // System streams do not throw; they record the error.
    }
  }

  /**
   * Writes one frame, whole, and sends it: a frame's bytes never mix with another's from another
   * thread (the command's stdout and stderr are written by its own threads).
   */
  static void writeFrame(DataOutputStream frames, byte kind, byte[] payload) throws IOException {
    synchronized (frames) {
      frames.writeByte(kind);
      frames.writeInt(payload.length);
      frames.write(payload);
      frames.flush();
    }
  }

  static void writeText(DataOutputStream out, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static int readCount(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > 1 << 20) {
      throw new IOException("a request's count of " + count);
    }
    return count;
  }

  static String readText(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > 1 << 24) {
      throw new IOException("a request's text of " + length + " bytes");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
