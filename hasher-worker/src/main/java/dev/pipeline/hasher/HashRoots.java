package dev.pipeline.hasher;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The directories a worker may read files under. A path from a job is resolved to its real path
 * ({@code ..} and every symlink followed) before it is compared with the roots, which are real
 * paths too, so no spelling of a path escapes them; only regular files are hashed.
 */
record HashRoots(List<Path> roots) {

  /** A file job this worker must not or cannot read; its message is the job's error result. */
  static final class RefusedFileException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedFileException(String message) {
      super(message);
    }
  }

  /** A regular file under a root, with what was known of it when it was checked. */
  record CheckedFile(Path realPath, long size, java.nio.file.attribute.FileTime modified) {}

  HashRoots {
    roots = List.copyOf(roots);
  }

  /** Returns the roots as real paths; each must be an existing directory. */
  static HashRoots of(List<Path> directories) {
    return new HashRoots(
        directories.stream()
            .map(
                dir -> {
                  try {
                    Path real = dir.toRealPath();
                    if (!Files.isDirectory(real)) {
                      throw new IllegalArgumentException("--root " + dir + " is not a directory");
                    }
                    return real;
                  } catch (NoSuchFileException e) {
                    throw new IllegalArgumentException("--root " + dir + " does not exist", e);
                  } catch (IOException e) {
                    throw new UncheckedIOException("cannot read --root " + dir, e);
                  }
                })
            .toList());
  }

  /** Checks that {@code path} names a readable regular file under a root. */
  CheckedFile check(String path) throws RefusedFileException {
    if (roots.isEmpty()) {
      throw new RefusedFileException(
          "this worker reads no files: it was started without --root (env PIPELINE_HASHER_ROOTS)");
    }
    Path given;
    try {
      given = Path.of(path);
    } catch (InvalidPathException e) {
      throw new RefusedFileException("not a valid path: " + e.getMessage());
    }
    if (!given.isAbsolute()) {
      throw new RefusedFileException("file paths must be absolute: " + path);
    }
    Resolved file = plainPathUnderRoot(given);
    if (file == null) {
      file = resolve(path, given);
    }
    if (!file.attributes().isRegularFile()) {
      throw new RefusedFileException(
          path + " is " + kind(file.attributes()) + ", not a regular file");
    }
    return new CheckedFile(
        file.realPath(), file.attributes().size(), file.attributes().lastModifiedTime());
  }

  /** A path resolved under a root, and what {@code lstat} says of what it names. */
  private record Resolved(Path realPath, BasicFileAttributes attributes) {}

  /**
   * The common case, in fewer system calls: a path with no {@code .} or {@code ..} under a root,
   * none of whose parts from the root down is a symbolic link, is its own real path. Each part is
   * looked at once ({@code lstat}, the last one's answer kept), where the C library's {@code
   * realpath} asks the kernel about every part from {@code /} and the attributes take one more
   * call: 4 calls instead of 6 for a file two folders below its root. Null for any other path (a
   * link on the way, an error), which then goes the long way and gets its error there. What lies
   * above a root was resolved at start and is not looked at again.
   */
  private @Nullable Resolved plainPathUnderRoot(Path given) {
    if (!given.normalize().equals(given)) {
      return null;
    }
    for (Path root : roots) {
      if (!given.startsWith(root) || given.equals(root)) {
        continue;
      }
      Path part = root;
      for (int next = root.getNameCount(); ; next++) {
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(part, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (IOException e) {
          return null;
        }
        if (attributes.isSymbolicLink()) {
          return null;
        }
        if (next == given.getNameCount()) {
          return new Resolved(given, attributes);
        }
        if (!attributes.isDirectory()) {
          return null;
        }
        part = part.resolve(given.getName(next));
      }
    }
    return null;
  }

  /** The long way: every link followed ({@code realpath}), then the result held to the roots. */
  private Resolved resolve(String path, Path given) throws RefusedFileException {
    Path real;
    try {
      real = given.toRealPath();
    } catch (NoSuchFileException e) {
      throw new RefusedFileException("no such file: " + path);
    } catch (AccessDeniedException e) {
      throw new RefusedFileException("permission denied: " + path);
    } catch (IOException e) {
      throw new RefusedFileException("cannot resolve " + path + ": " + e.getMessage());
    }
    if (roots.stream().noneMatch(real::startsWith)) {
      throw new RefusedFileException(
          path
              + (real.toString().equals(path) ? "" : " (really " + real + ")")
              + " is outside this worker's roots "
              + roots);
    }
    try {
      return new Resolved(
          real, Files.readAttributes(real, BasicFileAttributes.class, NOFOLLOW_LINKS));
    } catch (IOException e) {
      throw new RefusedFileException("cannot read the attributes of " + path + ": " + e);
    }
  }

  private static String kind(BasicFileAttributes attributes) {
    if (attributes.isDirectory()) {
      return "a directory";
    }
    if (attributes.isSymbolicLink()) {
      return "a symbolic link";
    }
    // FIFOs, sockets and devices: reading them could block forever or never end.
    return "a FIFO, socket or device";
  }
}
