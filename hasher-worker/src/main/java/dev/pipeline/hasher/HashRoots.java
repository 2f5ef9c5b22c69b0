package dev.pipeline.hasher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

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
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new RefusedFileException("cannot read the attributes of " + path + ": " + e);
    }
    if (!attributes.isRegularFile()) {
      throw new RefusedFileException(path + " is " + kind(attributes) + ", not a regular file");
    }
    return new CheckedFile(real, attributes.size(), attributes.lastModifiedTime());
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
