package dev.pipeline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
  @Test
  void aNewSqliteFileIsInWalModeWithLargePages(@TempDir Path dir) throws Exception {
    Database database = new Database("jdbc:sqlite:" + dir.resolve("store.db"));
    database.migrate();
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      assertThat(pragma(statement, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(statement, "page_size")).isEqualTo("16384");
      assertThat(pragma(statement, "synchronous")).isEqualTo("1"); // NORMAL
    }
  }

  private static String pragma(Statement statement, String name) throws Exception {
    try (ResultSet result = statement.executeQuery("PRAGMA " + name)) {
      result.next();
      return result.getString(1);
    }
  }
}
