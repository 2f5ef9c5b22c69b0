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

  @Test
  void postgresComparesTheEventKeysAsBytes() throws Exception {
    PostgresSchema.in(
        "database_test",
        dbUrl -> {
          Database database = new Database(dbUrl);
          database.migrate();
          database.migrate(); // a second start applies nothing and fails on nothing
          try (Connection connection = database.connect();
              Statement statement = connection.createStatement();
              ResultSet columns =
                  statement.executeQuery(
                      "SELECT column_name, collation_name FROM information_schema.columns"
                          + " WHERE table_schema = current_schema() AND table_name = 'log_events'"
                          + " AND column_name IN ('id', 'service', 'level', 'host')"
                          + " ORDER BY column_name")) {
            StringBuilder found = new StringBuilder();
            while (columns.next()) {
              found
                  .append(columns.getString(1))
                  .append('=')
                  .append(columns.getString(2))
                  .append(' ');
            }
            // host is not a key: it keeps the database's collation (NULL: the default).
            assertThat(found.toString().trim()).isEqualTo("host=null id=C level=C service=C");
          }
        });
  }

  private static String pragma(Statement statement, String name) throws Exception {
    try (ResultSet result = statement.executeQuery("PRAGMA " + name)) {
      result.next();
      return result.getString(1);
    }
  }
}
