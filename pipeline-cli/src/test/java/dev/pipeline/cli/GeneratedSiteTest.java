package dev.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generated site's login, over real HTTP on its loopback address. */
class GeneratedSiteTest {
  private static final Pattern CSRF = Pattern.compile("name=csrf value=([^>\\s]+)");
  private final HttpClient http = HttpClient.newHttpClient(); // does not follow redirects

  @Test
  void keepsOnlyTheNewestSessions() throws Exception {
    GeneratedSite.Login account = new GeneratedSite.Login("ada", "s3cret-for-the-site-test");
    try (GeneratedSite site = new GeneratedSite(10, 1, 0, 0, false, account)) {
      String page = site.url(0);
      String login = URI.create(page).resolve("/login").toString();
      Matcher csrf = CSRF.matcher(get(login, "").body());
      assertThat(csrf.find()).isTrue();
      String form =
          "csrf="
              + csrf.group(1)
              + "&username=ada&password="
              + URLEncoder.encode(account.password(), StandardCharsets.UTF_8);
      List<String> sessions = new ArrayList<>();
      for (int i = 0; i <= GeneratedSite.MAX_SESSIONS; i++) {
        HttpResponse<String> loggedIn =
            http.send(
                HttpRequest.newBuilder(URI.create(login))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(loggedIn.statusCode()).isEqualTo(303);
        sessions.add(loggedIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0]);
      }
      assertThat(get(page, sessions.getLast()).statusCode()).isEqualTo(200);
      assertThat(get(page, sessions.get(1)).statusCode()).isEqualTo(200);
      // The oldest of MAX_SESSIONS + 1 was dropped: back to the login, like an expired session.
      HttpResponse<String> dropped = get(page, sessions.getFirst());
      assertThat(dropped.statusCode()).isEqualTo(303);
      assertThat(dropped.headers().firstValue("Location")).hasValue("/login");
    }
  }

  private HttpResponse<String> get(String url, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (!cookie.isEmpty()) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
