package dev.pipeline.consumer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh schema on the machine's PostgreSQL (127.0.0.1:5432, database test) for one test. */
final class PostgresSchema {
  private PostgresSchema() {}

  /** Creates {@code schema} and returns a JDBC URL whose tables live in it. */
  static String create(String baseUrl, String schema) throws SQLException {
    try (Connection connection = DriverManager.getConnection(baseUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      statement.execute("CREATE SCHEMA " + schema);
    }
    return baseUrl + "&currentSchema=" + schema;
  }

  /** Drops {@code schema} and everything in it. */
  static void drop(String baseUrl, String schema) throws SQLException {
    try (Connection connection = DriverManager.getConnection(baseUrl);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}
