package dev.pipeline.core.message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jsoup.select.Selector;
import org.jspecify.annotations.Nullable;

/**
 * How a crawl logs in: a form login over HTTP with a credential that only the crawlers hold. The
 * crawl names the credential; the user name and password never travel with it.
 *
 * @param url the page with the login form
 * @param credential the name crawlers resolve to a user name and password (environment variables
 *     {@code PIPELINE_CREDENTIAL_<NAME>_USERNAME} and {@code _PASSWORD}, or their secrets file)
 * @param form CSS selector of the form; default the form that has a password field
 * @param usernameField name of the user name input; default the form's first text or email input
 * @param passwordField name of the password input; default the form's password input
 * @param fields further inputs to set, by name (not secret: they travel with the crawl)
 * @param loggedOutSelector a CSS selector present on a page only when the session is gone; a
 *     redirect to the login page always counts as logged out
 * @param loggedOutStatus a status code that means the session is gone (401, say)
 * @param steps when given, the login is done in a browser by these steps on the login page
 *     (typically fill with the credential, click, wait-for) instead of by the form over HTTP; the
 *     cookies it earns then go with the HTTP fetches too
 */
public record CrawlLogin(
    String url,
    String credential,
    @Nullable String form,
    @Nullable String usernameField,
    @Nullable String passwordField,
    Map<String, String> fields,
    @Nullable String loggedOutSelector,
    @Nullable Integer loggedOutStatus,
    List<CrawlStep> steps) {

  public CrawlLogin {
    url = CrawlUrls.normalize(Fields.text(url, "login.url", Fields.MAX_URL), "login.url");
    credentialName(credential, "login.credential");
    form = selector(form, "login.form");
    Fields.optionalText(usernameField, "login.usernameField", Fields.MAX_NAME);
    Fields.optionalText(passwordField, "login.passwordField", Fields.MAX_NAME);
    fields = fields == null ? Map.of() : new LinkedHashMap<>(fields);
    if (fields.size() > 50) {
      throw new IllegalArgumentException("login.fields has more than 50 entries");
    }
    fields = java.util.Collections.unmodifiableMap(fields);
    loggedOutSelector = selector(loggedOutSelector, "login.loggedOutSelector");
    steps = Fields.list(steps, "login.steps", 50);
    if (loggedOutStatus != null && (loggedOutStatus < 200 || loggedOutStatus > 599)) {
      throw new IllegalArgumentException(
          "login.loggedOutStatus must be an HTTP status: " + loggedOutStatus);
    }
  }

  /** Checks that {@code name} can name a credential (it becomes part of variable names). */
  static void credentialName(String name, String field) {
    Fields.text(name, field, Fields.MAX_ID);
    if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
      throw new IllegalArgumentException(
          field + " must be a name of letters, digits and '_': " + name);
    }
  }

  private static @Nullable String selector(@Nullable String css, String field) {
    if (css == null) {
      return null;
    }
    Fields.text(css, field, Fields.MAX_NAME);
    try {
      Selector.evaluatorOf(css);
    } catch (Selector.SelectorParseException e) {
      throw new IllegalArgumentException(field + " is not a CSS selector: " + e.getMessage());
    }
    return css;
  }
}
