package dev.pipeline.core.message;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One step a browser takes on a rendered page, in order, after the page has loaded:
 *
 * <ul>
 *   <li>{@code goto} {@code url}: navigate (the URL must be in the crawl's scope rules' hands: it
 *       is fetched by the browser, checked by the address guard)
 *   <li>{@code fill} {@code selector} with {@code value}, or with the crawl's login credential's
 *       {@code credential: username|password} (never written anywhere)
 *   <li>{@code click} {@code selector}; {@code select} {@code selector} {@code value}
 *   <li>{@code wait-for} a {@code selector}, a {@code url} (regex), or {@code value: network-idle}
 *   <li>{@code set-cookie} {@code value} ("name=value") for the page's URL
 *   <li>{@code set-storage} {@code storage} (local|session) {@code key} {@code value}
 *   <li>{@code read-storage} {@code storage} {@code key} {@code as} NAME
 *   <li>{@code evaluate} {@code script} {@code as} NAME: runs JavaScript in the page and records
 *       its JSON result (how a crawl reads IndexedDB: return a Promise)
 *   <li>{@code extract} {@code selector} {@code as} NAME: the text of every matching element
 *   <li>{@code screenshot} [{@code as} NAME]: a PNG file whose path is recorded
 * </ul>
 *
 * @param timeoutMs how long the step may wait (default: the crawler's fetch timeout)
 */
public record CrawlStep(
    String action,
    @Nullable String selector,
    @Nullable String value,
    @Nullable String credential,
    @Nullable String url,
    @Nullable String storage,
    @Nullable String key,
    @Nullable String script,
    @Nullable String as,
    @Nullable Long timeoutMs) {

  /** The actions a step may take. */
  public enum Action {
    GOTO,
    FILL,
    CLICK,
    SELECT,
    WAIT_FOR,
    SET_COOKIE,
    SET_STORAGE,
    READ_STORAGE,
    EVALUATE,
    EXTRACT,
    SCREENSHOT;

    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Action of(String action) {
      for (Action candidate : values()) {
        if (candidate.label().equals(action.strip().toLowerCase(Locale.ROOT))) {
          return candidate;
        }
      }
      throw new IllegalArgumentException(
          "step action must be one of goto, fill, click, select, wait-for, set-cookie,"
              + " set-storage, read-storage, evaluate, extract, screenshot: not '"
              + action
              + "'");
    }
  }

  public CrawlStep {
    Fields.text(action, "action", Fields.MAX_NAME);
    Action kind = Action.of(action);
    action = kind.label();
    Fields.optionalText(selector, "selector", Fields.MAX_NAME);
    Fields.optionalText(value, "value", Fields.MAX_TEXT);
    Fields.optionalText(url, "url", Fields.MAX_URL);
    Fields.optionalText(key, "key", Fields.MAX_NAME);
    Fields.optionalText(script, "script", Fields.MAX_TEXT);
    Fields.optionalText(as, "as", Fields.MAX_NAME);
    if (timeoutMs != null && timeoutMs < 1) {
      throw new IllegalArgumentException(action + ": timeoutMs must be at least 1");
    }
    if (credential != null && !credential.equals("username") && !credential.equals("password")) {
      throw new IllegalArgumentException(
          action + ": credential must be username or password, not '" + credential + "'");
    }
    if (storage != null && !storage.equals("local") && !storage.equals("session")) {
      throw new IllegalArgumentException(
          action + ": storage must be local or session, not '" + storage + "'");
    }
    switch (kind) {
      case GOTO -> require(action, "url", url);
      case FILL -> {
        require(action, "selector", selector);
        if ((value == null) == (credential == null)) {
          throw new IllegalArgumentException("fill needs a value or a credential, one of them");
        }
      }
      case CLICK -> require(action, "selector", selector);
      case SELECT -> {
        require(action, "selector", selector);
        require(action, "value", value);
      }
      case WAIT_FOR -> {
        int given = (selector != null ? 1 : 0) + (url != null ? 1 : 0) + (value != null ? 1 : 0);
        if (given != 1 || (value != null && !value.equals("network-idle"))) {
          throw new IllegalArgumentException(
              "wait-for needs one of: a selector, a url pattern, or value network-idle");
        }
      }
      case SET_COOKIE -> {
        require(action, "value", value);
        if (!value.matches("[^=;\\s]+=[^;\\r\\n]*")) {
          throw new IllegalArgumentException("set-cookie value must look like 'name=value'");
        }
      }
      case SET_STORAGE -> {
        require(action, "storage", storage);
        require(action, "key", key);
        require(action, "value", value);
      }
      case READ_STORAGE -> {
        require(action, "storage", storage);
        require(action, "key", key);
        require(action, "as", as);
      }
      case EVALUATE -> {
        require(action, "script", script);
        require(action, "as", as);
      }
      case EXTRACT -> {
        require(action, "selector", selector);
        require(action, "as", as);
      }
      case SCREENSHOT -> {}
    }
    if (selector != null) {
      try {
        org.jsoup.select.Selector.evaluatorOf(selector);
      } catch (org.jsoup.select.Selector.SelectorParseException e) {
        // Playwright accepts more than CSS (text=, xpath=); plain CSS is checked here.
        if (!selector.matches("^(text|xpath|css|id|data-testid)=.*")) {
          throw new IllegalArgumentException(
              action + ": selector is not a CSS selector: " + e.getMessage());
        }
      }
    }
  }

  public Action kind() {
    return Action.of(action);
  }

  /** How the step reads in an error message: "click #next". */
  public String describe() {
    StringBuilder text = new StringBuilder(action);
    for (String part : new String[] {storage, key, selector, url, credential}) {
      if (part != null) {
        text.append(' ').append(part);
      }
    }
    if (as != null) {
      text.append(" as ").append(as);
    }
    return text.toString();
  }

  private static void require(String action, String field, @Nullable Object value) {
    if (value == null) {
      throw new IllegalArgumentException(action + " needs " + field);
    }
  }
}
