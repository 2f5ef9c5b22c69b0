package dev.pipeline.consumer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh schema on the machine's PostgreSQL (127.0.0.1:5432, database test) for one test. */
final class PostgresSchema {
  private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** A test that stores into the database at a JDBC URL. */
  interface StoreTest {
    void run(String dbUrl) throws Exception;
  }

  private PostgresSchema() {}

  /** Runs {@code test} against a fresh {@code schema}, dropped afterwards whatever happens. */
  static void in(String schema, StoreTest test) throws Exception {
    String name = schema.replace('-', '_');
    execute("DROP SCHEMA IF EXISTS " + name + " CASCADE", "CREATE SCHEMA " + name);
    try {
      test.run(DATABASE + "&currentSchema=" + name);
    } finally {
      execute("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }
  }

  private static void execute(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(DATABASE);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
