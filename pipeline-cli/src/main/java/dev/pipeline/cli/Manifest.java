package dev.pipeline.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checksum lines in exactly the format of GNU {@code sha256sum} (and its md5/sha1/sha512 siblings):
 * {@code HEX NAME}. A name holding a backslash, a newline or a carriage return is escaped ({@code
 * \\}, {@code \n}, {@code \r}) and its line starts with a backslash, so {@code sha256sum -c} reads
 * it back.
 */
final class Manifest {
  private Manifest() {}

  /** One line of a manifest: a digest (lower-case hex) and the file name it belongs to. */
  record Entry(String hex, String name) {}

  /** Algorithms by the digest length {@code sha*sum -c} infers them from. */
  private static final Map<Integer, String> ALGORITHM_BY_HEX_LENGTH =
      Map.of(32, "MD5", 40, "SHA-1", 64, "SHA-256", 96, "SHA-384", 128, "SHA-512");

  /** Returns the line (with its newline) that {@code sha256sum} prints for {@code entry}. */
  static String line(Entry entry) {
    boolean escape = needsEscaping(entry.name());
    return (escape ? "\\" : "")
        + entry.hex()
        + "  "
        + (escape ? escape(entry.name()) : entry.name())
        + "\n";
  }

  /**
   * Returns the name as {@code sha256sum -c} prints it in its OK/FAILED lines: escaped only when it
   * holds a newline (coreutils 9.1 prints a backslash or a carriage return as it is otherwise).
   */
  static String displayName(String name) {
    return name.indexOf('\n') >= 0 ? "\\" + escape(name) : name;
  }

  private static boolean needsEscaping(String name) {
    return name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0;
  }

  private static String escape(String name) {
    return name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  /**
   * Parses a manifest's text; both {@code HEX NAME} and the binary-mode {@code HEX *NAME} are read.
   *
   * @throws IllegalArgumentException naming the first line that is not a checksum line
   */
  static List<Entry> parse(String text) {
    List<Entry> entries = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() && i == lines.length - 1) {
        break;
      }
      boolean escaped = line.startsWith("\\");
      String rest = escaped ? line.substring(1) : line;
      int space = rest.indexOf(' ');
      if (space < 32
          || space + 2 > rest.length()
          || !(rest.charAt(space + 1) == ' ' || rest.charAt(space + 1) == '*')
          || !rest.substring(0, space).matches("[0-9a-fA-F]+")
          || !ALGORITHM_BY_HEX_LENGTH.containsKey(space)) {
        throw new IllegalArgumentException(
            "line " + (i + 1) + " is not a checksum line (HEX  NAME): " + abbreviate(line));
      }
      String name = rest.substring(space + 2);
      entries.add(
          new Entry(
              rest.substring(0, space).toLowerCase(Locale.ROOT),
              escaped ? unescape(name, i + 1) : name));
    }
    return entries;
  }

  /** Returns the algorithm of a digest of this many hex digits. */
  static String algorithmFor(String hex) {
    String algorithm = ALGORITHM_BY_HEX_LENGTH.get(hex.length());
    if (algorithm == null) {
      throw new IllegalArgumentException("no algorithm has " + hex.length() + "-digit digests");
    }
    return algorithm;
  }

  private static String unescape(String name, int lineNumber) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (i + 1 == name.length()) {
        throw new IllegalArgumentException("line " + lineNumber + " ends in a lone backslash");
      }
      char next = name.charAt(++i);
      switch (next) {
        case '\\' -> out.append('\\');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        default ->
            throw new IllegalArgumentException(
                "line " + lineNumber + " has an unknown escape \\" + next);
      }
    }
    return out.toString();
  }

  private static String abbreviate(String line) {
    return line.length() > 80 ? line.substring(0, 80) + "..." : line;
  }
}
