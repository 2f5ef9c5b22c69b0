package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipeline crawl} as a person uses it: the real CLI, a real broker, real crawler and store
 * processes, and a generated site on loopback addresses.
 */
class CrawlCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGES = 60;
  private static final String SITE_PASSWORD = "generated-site-pw-7731";

  @TempDir Path home;
  private CliProcess cli;

  @AfterEach
  void down() throws Exception {
    if (cli != null) {
      cli.run("down", "--timeout", "10");
    }
  }

  @Test
  void crawlsAGeneratedSiteAndAnswersAboutIt() throws Exception {
    cli =
        new CliProcess(home)
            .env("PIPELINE_CREDENTIAL_SITE_USERNAME", "ada")
            .env("PIPELINE_CREDENTIAL_SITE_PASSWORD", SITE_PASSWORD);
    CliProcess.Result up =
        cli.run("up", "--producers", "0", "--hashers", "0", "--crawlers", "1", "--consumers", "1");
    assertThat(up.exit()).as(up.err()).isZero();
    try (GeneratedSite site = new GeneratedSite(PAGES, 3, 0, 0)) {
      String seed = site.url(0);

      CliProcess.Result refused = cli.run("crawl", seed);
      assertThat(refused.exit()).isEqualTo(2);
      assertThat(refused.err())
          .contains("127.0.1.1 is a loopback address", "--allow-private-addresses");
      CliProcess.Result badScheme = cli.run("crawl", "ftp://example.com/");
      assertThat(badScheme.exit()).isEqualTo(2);
      assertThat(badScheme.err()).contains("URL must be an http or https URL");
      CliProcess.Result halfLogin =
          cli.run("crawl", "https://example.com/", "--credential", "shop");
      assertThat(halfLogin.exit()).isEqualTo(2);
      assertThat(halfLogin.err()).contains("--login-url and --credential go together");
      CliProcess.Result badForm =
          cli.run(
              "crawl",
              "https://example.com/",
              "--login-url",
              "https://example.com/login",
              "--credential",
              "shop",
              "--login-form",
              "form[[");
      assertThat(badForm.exit()).isEqualTo(2);
      assertThat(badForm.err()).contains("--login-form is not a CSS selector");
      Path steps = home.resolve("steps.yaml");
      Files.writeString(steps, "- on: /search$\n  steps:\n    - {action: click}\n");
      CliProcess.Result badStep =
          cli.run("crawl", "https://example.com/", "--steps", steps.toString());
      assertThat(badStep.exit()).isEqualTo(2);
      assertThat(badStep.err())
          .contains("--steps " + steps + ", sequence 1: ")
          .contains("click needs selector");
      CliProcess.Result badRender =
          cli.run("crawl", "https://example.com/", "--render", "sometimes");
      assertThat(badRender.exit()).isEqualTo(2);
      assertThat(badRender.err()).contains("--render must be never, auto or always");

      CliProcess.Result crawl =
          cli.runIn(home, crawlOf(seed, "--id", "cli-crawl", "--urls-out", "urls.txt"));
      assertThat(crawl.exit()).as(crawl.err()).isZero();
      JsonNode summary = JSON.readTree(crawl.out());
      assertThat(summary.get("finished").asBoolean()).isTrue();
      assertThat(summary.get("pages").asInt()).isEqualTo(PAGES);
      assertThat(summary.get("statuses").get("200").asInt()).isEqualTo(PAGES);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < PAGES; i++) {
        expected.add(site.url(i));
      }
      expected.sort(null);
      assertThat(Files.readAllLines(home.resolve("urls.txt"))).isEqualTo(expected);

      CliProcess.Result status = cli.run("crawl", "status", "cli-crawl", "--json");
      assertThat(status.exit()).as(status.err()).isZero();
      assertThat(JSON.readTree(status.out()).get("state").asText()).isEqualTo("finished");
      CliProcess.Result explain = cli.run("crawl", "explain", "cli-crawl", site.url(7) + "#x");
      assertThat(explain.out()).contains(site.url(7) + " was fetched at", "HTTP 200", "depth 2");
      CliProcess.Result never =
          cli.run("crawl", "explain", "cli-crawl", "http://127.0.1.1:1/elsewhere");
      assertThat(never.exit()).isEqualTo(1);
      assertThat(never.out()).contains("was never discovered");
      CliProcess.Result csv = cli.run("crawl", "results", "cli-crawl", "--csv");
      assertThat(csv.out().lines())
          .hasSize(PAGES + 1)
          .first()
          .asString()
          .startsWith("crawl_id,url");
      CliProcess.Result unknown = cli.run("crawl", "status", "no-such-crawl");
      assertThat(unknown.exit()).isEqualTo(1);
      assertThat(unknown.err()).contains("no crawl no-such-crawl");

      // consumer-service stores every page once.
      Path db = home.resolve("data/pipeline.db");
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Files.exists(db) && rows(db) == PAGES);
    }

    // The generated site behind a login (site serve --login): a crawl without it is turned away
    // at the login page; with the crawler's credential it reaches every page.
    GeneratedSite.Login account =
        SiteCommand.account(
            "site",
            Map.of(
                "PIPELINE_CREDENTIAL_SITE_USERNAME",
                "ada",
                "PIPELINE_CREDENTIAL_SITE_PASSWORD",
                SITE_PASSWORD));
    try (GeneratedSite site = new GeneratedSite(PAGES, 1, 0, 0, false, account)) {
      String seed = site.url(0);
      String loginUrl = seed.replace("/p0", "/login");
      CliProcess.Result locked = cli.run(crawlOf(seed));
      assertThat(locked.exit()).as(locked.err()).isZero();
      JsonNode lockedSummary = JSON.readTree(locked.out());
      assertThat(lockedSummary.get("pages").asInt()).isEqualTo(2);
      assertThat(lockedSummary.get("statuses").get("303").asInt()).isEqualTo(1);

      CliProcess.Result open =
          cli.run(crawlOf(seed, "--login-url", loginUrl, "--credential", "site"));
      assertThat(open.exit()).as(open.err()).isZero();
      JsonNode openSummary = JSON.readTree(open.out());
      assertThat(openSummary.get("pages").asInt()).isEqualTo(PAGES);
      assertThat(openSummary.get("statuses").get("200").asInt()).isEqualTo(PAGES);
    }
  }

  /** {@code pipeline crawl SEED} of the whole generated site, waited for, as JSON; and more. */
  private static String[] crawlOf(String seed, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "crawl",
                seed,
                "--scope",
                "any",
                "--depth",
                "20",
                "--delay",
                "0",
                "--allow-private-addresses",
                "--wait",
                "--json"));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void aLoginSiteNeedsItsCredential() {
    assertThatThrownBy(() -> SiteCommand.account("site", Map.of()))
        .isInstanceOf(CliException.class)
        .hasMessage(
            "--login site: set PIPELINE_CREDENTIAL_SITE_USERNAME and"
                + " PIPELINE_CREDENTIAL_SITE_PASSWORD");
    assertThat(new GeneratedSite.Login("ada", SITE_PASSWORD).toString())
        .doesNotContain(SITE_PASSWORD);
  }

  private static long rows(Path db) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT COUNT(*) FROM crawl_pages WHERE crawl_id = 'cli-crawl'")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      return -1; // not migrated yet
    }
  }
}
