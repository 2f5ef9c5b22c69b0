package dev.pipeline.crawler;

import dev.pipeline.core.message.CrawlLogin;
import dev.pipeline.core.message.CrawlUrls;
import dev.pipeline.core.net.GuardedSocketFactory;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import org.jsoup.Connection;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.FormElement;
import org.jspecify.annotations.Nullable;

/**
 * One crawl's logged-in session in this process: a form login over HTTP whose cookies every fetch
 * of the crawl then sends. Logs in on first use, notices when a page says the session is gone and
 * logs in again once, and remembers a failed login so it is never tried again for this crawl.
 */
final class LoginSession {
  private static final int MAX_HOPS = 10;

  /** The login did not work; the message says why and holds no secret. */
  static final class LoginFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    LoginFailedException(String message) {
      super(message);
    }
  }

  private final Crawl crawl;
  private final CrawlLogin login;
  private final Credentials.@Nullable Credential credential;
  private final @Nullable RenderPool renderer;
  private final String worker;
  private final SessionCookies cookies = new SessionCookies();
  private final PageFetcher fetcher;
  private final ReentrantLock lock = new ReentrantLock();
  private int generation; // logins done; 0 = not logged in yet
  private @Nullable String failure;

  LoginSession(
      Crawl crawl,
      Credentials.@Nullable Credential credential,
      PageFetcher plain,
      @Nullable RenderPool renderer,
      String worker) {
    this.renderer = renderer;
    this.crawl = crawl;
    this.login = java.util.Objects.requireNonNull(crawl.job().login(), "a crawl with a login");
    this.credential = credential;
    this.worker = worker;
    this.fetcher = plain.withCookies(cookies);
  }

  /** The session's cookies that go with a request to {@code url}, for a browser to send too. */
  java.util.List<okhttp3.Cookie> cookiesFor(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    return parsed == null ? java.util.List.of() : cookies.loadForRequest(parsed);
  }

  /** The fetcher that sends this session's cookies. */
  PageFetcher fetcher() {
    return fetcher;
  }

  /**
   * Logs in unless done already, and returns the login's number, to hand to {@link #relogin} when a
   * page turns out logged out.
   */
  int ensureLoggedIn() throws LoginFailedException, InterruptedException {
    lock.lockInterruptibly();
    try {
      if (generation == 0) {
        loginLocked();
      }
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Logs in again because a page fetched under login {@code seen} looked logged out, unless another
   * fetch has done so meanwhile; returns the new login's number.
   */
  int relogin(int seen) throws LoginFailedException, InterruptedException {
    lock.lockInterruptibly();
    try {
      if (generation == seen) {
        loginLocked();
      }
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether {@code response} to {@code url} says the session is gone: a redirect to the login page,
   * the configured status, or the configured selector on the page. The login page itself never
   * counts.
   */
  boolean loggedOut(String url, PageFetcher.Fetched response) {
    if (samePage(url, login.url())) {
      return false;
    }
    if (response.status() >= 300 && response.status() < 400 && response.location() != null) {
      return samePage(Links.resolve(url, response.location()), login.url());
    }
    if (login.loggedOutStatus() != null && response.status() == login.loggedOutStatus()) {
      return true;
    }
    if (login.loggedOutSelector() != null
        && response.status() >= 200
        && response.status() < 300
        && Links.isHtml(response.contentType())
        && !response.truncated()) {
      try {
        Document page = Links.document(response.body(), response.contentType(), url);
        return page.selectFirst(login.loggedOutSelector()) != null;
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  private void loginLocked() throws LoginFailedException, InterruptedException {
    if (failure != null) {
      throw new LoginFailedException(failure);
    }
    try {
      if (login.steps().isEmpty()) {
        formLogin();
      } else {
        browserLogin();
      }
      generation++;
    } catch (LoginFailedException e) {
      failure = e.getMessage();
      throw e;
    }
  }

  private String what() {
    return "login with credential " + login.credential() + " at " + login.url();
  }

  private Credentials.Credential credential() throws LoginFailedException {
    if (credential == null) {
      throw new LoginFailedException(
          what() + " failed: " + Credentials.missing(worker, login.credential()));
    }
    return credential;
  }

  /**
   * Logs in with the login's steps in the crawl's browser context (the page fetched by the browser
   * itself), then gives the cookies it earned to the HTTP fetcher too.
   */
  private void browserLogin() throws LoginFailedException, InterruptedException {
    String what = what();
    Credentials.Credential held = credential();
    if (renderer == null) {
      throw new LoginFailedException(
          what
              + " failed: a login by steps needs a browser, and this crawler has none (--render-pool 0)");
    }
    cookies.clear();
    RenderPool.Rendered rendered;
    try {
      rendered = renderer.render(RenderPool.Request.login(crawl, login.url(), login.steps(), held));
    } catch (RenderPool.RenderException e) {
      throw new LoginFailedException(what + " failed: " + e.getMessage());
    }
    if (rendered.stepError() != null) {
      throw new LoginFailedException(what + " failed: " + rendered.stepError());
    }
    byte[] html = rendered.html().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Page after =
        new Page(
            rendered.finalUrl(),
            new PageFetcher.Fetched(
                200, "text/html; charset=utf-8", null, null, html, html.length, false, ""));
    String asking = stillAsks(after, what);
    if (asking != null) {
      throw new LoginFailedException(
          what
              + " failed: after the steps the page ("
              + after.url
              + ") still asks to log in"
              + asking);
    }
    HttpUrl landed = HttpUrl.parse(rendered.finalUrl());
    if (landed != null) {
      cookies.saveFromResponse(landed, rendered.cookies());
    }
  }

  /** Fetches the login page, fills its form, submits it and checks that it worked. */
  private void formLogin() throws LoginFailedException {
    String what = what();
    Credentials.Credential credential = credential();
    cookies.clear();
    Page page = follow(get(login.url()), what);
    if (page.response.status() != 200) {
      throw new LoginFailedException(
          what + " failed: the login page answered HTTP " + page.response.status());
    }
    Document document = parse(page, what);
    Element found =
        login.form() != null
            ? document.selectFirst(login.form())
            : document.selectFirst("form:has(input[type=password])");
    if (!(found instanceof FormElement form)) {
      throw new LoginFailedException(
          what
              + " failed: no login form on "
              + page.url
              + (login.form() != null
                  ? " matches " + login.form()
                  : " (no form with a password field; name it with login.form)"));
    }
    String usernameField =
        fieldName(
            form, login.usernameField(), "input:not([type]), input[type=text], input[type=email]");
    String passwordField = fieldName(form, login.passwordField(), "input[type=password]");
    if (usernameField == null || passwordField == null) {
      throw new LoginFailedException(
          what
              + " failed: the form has no "
              + (usernameField == null ? "user name" : "password")
              + " field"
              + (usernameField == null ? " (name it with login.usernameField)" : ""));
    }
    // What a browser would send: the form's own fields (hidden ones such as a CSRF token kept),
    // then ours on top.
    Map<String, String> fields = new LinkedHashMap<>();
    for (Connection.KeyVal field : form.formData()) {
      fields.putIfAbsent(field.key(), field.value());
    }
    fields.putAll(login.fields());
    fields.put(usernameField, credential.username());
    fields.put(passwordField, credential.password());

    String action = form.absUrl("action");
    String target = action.isEmpty() ? page.url : action;
    if (CrawlUrls.normalizeOrNull(target) == null) {
      throw new LoginFailedException(what + " failed: the form posts to " + target);
    }
    Request.Builder submit;
    if ("get".equalsIgnoreCase(form.attr("method"))) {
      HttpUrl.Builder url = HttpUrl.get(target).newBuilder();
      fields.forEach(url::setQueryParameter);
      submit = new Request.Builder().url(url.build()).get();
    } else {
      FormBody.Builder body = new FormBody.Builder();
      fields.forEach(body::add);
      submit = new Request.Builder().url(target).post(body.build());
    }
    URI loginPage = URI.create(page.url);
    submit.header("Referer", page.url);
    submit.header("Origin", loginPage.getScheme() + "://" + loginPage.getRawAuthority());
    Page after = follow(send(submit, target), what);
    if (after.response.status() >= 400) {
      throw new LoginFailedException(
          what + " failed: the form's answer was HTTP " + after.response.status());
    }
    String asking = stillAsks(after, what);
    if (asking != null) {
      throw new LoginFailedException(
          what
              + " failed: the page after submitting ("
              + after.url
              + ") still asks to log in"
              + asking);
    }
  }

  /**
   * Returns null when the page after logging in is past the login; when it is the login form again
   * (a wrong password, say), the end of the error message: the page's title, if it has one. The
   * page is parsed once for both.
   */
  private @Nullable String stillAsks(Page page, String what) throws LoginFailedException {
    Document document = Links.isHtml(page.response.contentType()) ? parse(page, what) : null;
    boolean asks =
        samePage(page.url, login.url())
            || (document != null
                && (document.selectFirst("form input[type=password]") != null
                    || (login.loggedOutSelector() != null
                        && document.selectFirst(login.loggedOutSelector()) != null)));
    if (!asks) {
      return null;
    }
    String title = document == null ? "" : document.title().strip();
    return title.isEmpty() ? "" : " (page title '" + title + "')";
  }

  private static @Nullable String fieldName(
      FormElement form, @Nullable String configured, String defaultSelector) {
    if (configured != null) {
      return form.selectFirst("[name=\"" + configured.replace("\"", "\\\"") + "\"]") == null
          ? null
          : configured;
    }
    for (Element input : form.select(defaultSelector)) {
      if (!input.attr("name").isEmpty()) {
        return input.attr("name");
      }
    }
    return null;
  }

  /** A response with the URL it finally came from. */
  private record Page(String url, PageFetcher.Fetched response) {}

  private Page get(String url) throws LoginFailedException {
    return send(new Request.Builder().url(url).get(), url);
  }

  private Page send(Request.Builder builder, String url) throws LoginFailedException {
    // Not a page of the crawl: the crawl's user agent and headers, and the session's cookies.
    Request request = crawl.decorate(builder, CrawlUrls.hostKey(url)).build();
    try {
      return new Page(url, fetcher.fetch(request, crawl.job().allowPrivateAddresses()));
    } catch (GuardedSocketFactory.RefusedAddressException e) {
      throw new LoginFailedException("login at " + url + " refused: " + e.getMessage());
    } catch (IOException e) {
      throw new LoginFailedException("login request to " + url + " failed: " + e.getMessage());
    }
  }

  /** Follows redirects (as GETs, as browsers do after a form post) up to {@value #MAX_HOPS}. */
  private Page follow(Page page, String what) throws LoginFailedException {
    Page current = page;
    for (int hop = 0; hop < MAX_HOPS; hop++) {
      int status = current.response.status();
      if (status < 300 || status >= 400 || current.response.location() == null) {
        return current;
      }
      String next = Links.resolve(current.url, current.response.location());
      if (CrawlUrls.normalizeOrNull(next) == null) {
        throw new LoginFailedException(what + " failed: redirected to " + next);
      }
      current = get(next);
    }
    throw new LoginFailedException(what + " failed: more than " + MAX_HOPS + " redirects");
  }

  private static Document parse(Page page, String what) throws LoginFailedException {
    try {
      return Links.document(page.response.body(), page.response.contentType(), page.url);
    } catch (IOException e) {
      throw new LoginFailedException(what + " failed: cannot read " + page.url + ": " + e);
    }
  }

  /** Same scheme, host, port and path: the query does not make another page here. */
  static boolean samePage(String a, String b) {
    HttpUrl first = HttpUrl.parse(a);
    HttpUrl second = HttpUrl.parse(b);
    return first != null
        && second != null
        && first.scheme().equals(second.scheme())
        && first.host().equals(second.host())
        && first.port() == second.port()
        && first.encodedPath().equals(second.encodedPath());
  }
}
