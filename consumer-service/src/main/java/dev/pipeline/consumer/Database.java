package dev.pipeline.consumer;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL database behind the store: SQLite (a file, in WAL mode) or PostgreSQL, chosen by the JDBC
 * URL. Creates and migrates the schema with versioned scripts ({@code db/V1__*.sql}, ...).
 */
final class Database {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /**
   * Migration scripts in order; a new one is appended, an applied one is never edited. Each is
   * {@code db/NAME}, or {@code db/DIALECT/NAME} where the dialects need different SQL.
   */
  private static final List<String> MIGRATIONS =
      List.of(
          "V1__log_events.sql",
          "V2__hash_results.sql",
          "V3__crawl_pages.sql",
          "V4__crawl_pages_rendering.sql",
          "V5__log_events_rare_levels_index.sql",
          "V6__log_events_bytewise_keys.sql");

  enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  private final String url;
  private final Dialect dialect;

  Database(String url) {
    this.url = requireNonNull(url, "url == null");
    if (url.startsWith("jdbc:sqlite:")) {
      dialect = Dialect.SQLITE;
      createParentDirectory(url.substring("jdbc:sqlite:".length()));
    } else if (url.startsWith("jdbc:postgresql:")) {
      dialect = Dialect.POSTGRESQL;
    } else {
      throw new IllegalArgumentException(
          "unsupported database URL (expected jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB): "
              + url);
    }
  }

  Dialect dialect() {
    return dialect;
  }

  /** Returns a new connection with the settings the store relies on; the caller closes it. */
  Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    if (dialect == Dialect.SQLITE) {
      try (Statement statement = connection.createStatement()) {
        // WAL: readers never block the writer. NORMAL sync is safe against process crashes in WAL
        // mode; a power loss may drop the last transactions, and their offsets with them.
        // 16 KiB pages for a new file (an existing one keeps its own): fewer pages per batch to
        // write and to split, about 15% more events/s stored than SQLite's 4 KiB default.
        statement.execute("PRAGMA page_size=16384");
        statement.execute("PRAGMA journal_mode=WAL");
        statement.execute("PRAGMA synchronous=NORMAL");
        statement.execute("PRAGMA busy_timeout=30000");
      }
    }
    return connection;
  }

  /** Applies every migration not applied yet; safe when several processes start at once. */
  void migrate() throws SQLException {
    try (Connection connection = connect()) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        if (dialect == Dialect.POSTGRESQL) {
          // One migrating process at a time; the lock ends with the transaction.
          statement.execute("SELECT pg_advisory_xact_lock(7426001)");
        }
        statement.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at BIGINT NOT NULL)");
        int current = 0;
        try (ResultSet rs =
            statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")) {
          if (rs.next()) {
            current = rs.getInt(1);
          }
        }
        for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
          for (String sql : script(MIGRATIONS.get(version - 1), dialect)) {
            statement.execute(sql);
          }
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")) {
            insert.setInt(1, version);
            insert.setLong(2, System.currentTimeMillis());
            insert.executeUpdate();
          }
          log.info("Applied migration {} ({})", version, MIGRATIONS.get(version - 1));
        }
      }
      connection.commit();
    }
  }

  /** Returns a script's statements: split on semicolons at line ends, comments dropped. */
  private static List<String> script(String name, Dialect dialect) {
    ClassLoader loader = Database.class.getClassLoader();
    String own = "db/" + dialect.name().toLowerCase(Locale.ROOT) + "/" + name;
    String resource = loader.getResource(own) != null ? own : "db/" + name;
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is missing from the jar");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String withoutComments =
          text.lines().filter(l -> !l.trim().startsWith("--")).reduce("", (a, b) -> a + b + "\n");
      return java.util.Arrays.stream(withoutComments.split(";\\s*\n"))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createParentDirectory(String file) {
    if (file.isEmpty() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + parent, e);
    }
  }
}
