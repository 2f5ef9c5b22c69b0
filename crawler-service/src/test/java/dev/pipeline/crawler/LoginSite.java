package dev.pipeline.crawler;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A small web application with a login, served on 127.0.0.1 for crawler tests: a login form with a
 * CSRF token tied to a cookie, a session cookie, a wrong-password page, pages only a logged-in
 * visitor sees (anyone else is sent to the login page), and a logout link and destructive links
 * that must never be followed. Sessions can be made to end after a number of requests.
 */
final class LoginSite implements AutoCloseable {
  static final String USERNAME = "ada";

  /** Pages anyone gets. */
  static final Set<String> PUBLIC = Set.of("/", "/about", "/login", "/calendar");

  /** Pages only a logged-in visitor gets. */
  static final Set<String> PRIVATE =
      Set.of(
          "/account",
          "/account/orders",
          "/account/orders/1",
          "/account/orders/2",
          "/account/orders/3",
          "/account/settings",
          "/account/app",
          "/account/vault",
          "/account/idb");

  /**
   * Pages only a rendering crawl finds, by path and query: links written by scripts (one after an
   * API call, one once LocalStorage holds a value, one read back from IndexedDB) and the months of
   * an endless calendar after the first, down to the crawl's depth of 5.
   */
  static final Set<String> SCRIPTED_ONLY =
      Set.of(
          "/account/scripted",
          "/account/vault/item",
          "/account/idb/item",
          "/calendar?m=1",
          "/calendar?m=2",
          "/calendar?m=3",
          "/calendar?m=4");

  /**
   * A private single-page app, a LocalStorage-gated page and an IndexedDB page; all need scripts.
   */
  private static final Map<String, String> SCRIPTED_PAGES =
      Map.of(
          "/account/app",
          "<html><head><title>App</title></head><body><div id=root></div><script>"
              + "fetch('/account/api/links').then(r => r.json()).then(links => links.forEach(href"
              + " => { const a = document.createElement('a'); a.href = href; a.textContent = href;"
              + " document.getElementById('root').appendChild(a); }));</script></body></html>",
          "/account/vault",
          // Reads LocalStorage before showing anything; a first visit stores consent and reloads.
          "<html><head><title>Vault</title></head><body><noscript>Needs JavaScript</noscript>"
              + "<div id=c>Loading</div><script>if (localStorage.getItem('consent') !== 'yes') {"
              + " localStorage.setItem('consent', 'yes'); location.reload(); } else {"
              + " document.getElementById('c').innerHTML = '<a href=\"/account/vault/item\">item</a>';"
              + " }</script></body></html>",
          "/account/idb",
          // Keeps its data in IndexedDB and builds its link from what it reads back.
          "<html><head><title>Stock</title></head><body><noscript>Needs JavaScript</noscript>"
              + "<script>const open = indexedDB.open('stock', 1); open.onupgradeneeded = () =>"
              + " open.result.createObjectStore('items', {keyPath: 'id'}); open.onsuccess = () => {"
              + " const db = open.result; const tx = db.transaction('items', 'readwrite');"
              + " tx.objectStore('items').put({id: 1, href: '/account/idb/item'}); tx.oncomplete ="
              + " () => { db.transaction('items').objectStore('items').get(1).onsuccess = e => {"
              + " const a = document.createElement('a'); a.href = e.target.result.href;"
              + " a.textContent = 'item'; document.body.appendChild(a); }; }; };</script></body></html>");

  /** Links a logged-in crawl must never follow. */
  static final Set<String> DESTRUCTIVE =
      Set.of("/logout", "/account/delete?id=1", "/account/items/remove-all");

  private static final Map<String, String> PAGES =
      Map.of(
          "/", page("Home", "/about", "/login", "/account", "/logout", "/calendar?m=0"),
          "/about", page("About", "/"),
          "/account",
              page(
                  "Account",
                  "/account/orders",
                  "/account/settings",
                  "/account/app",
                  "/account/vault",
                  "/account/idb",
                  "/account/delete?id=1",
                  "/logout"),
          "/account/orders",
              page(
                  "Orders",
                  "/account/orders/1",
                  "/account/orders/2",
                  "/account/orders/3",
                  "/account/items/remove-all"),
          "/account/orders/1", page("Order 1", "/account/orders"),
          "/account/orders/2", page("Order 2", "/account/orders"),
          "/account/orders/3", page("Order 3", "/account/orders"),
          "/account/settings",
              page("Settings", "/account")
                  .replace(
                      "</body>",
                      // Links from an API only a logged-in browser may call.
                      "<script>fetch('/account/delete?id=1', {method: 'POST'}).catch(() => {});"
                          + "fetch('/account/api/links').then(r => r.json()).then(links =>"
                          + " links.forEach(href => { const a = document.createElement('a');"
                          + " a.href = href; a.textContent = href; document.body.appendChild(a);"
                          + " }));</script></body>"));

  /** The page only a rendered, logged-in crawl finds: the settings page's script links it. */
  static final String SCRIPTED = "/account/scripted";

  private final HttpServer server;
  private final String password;
  // session id -> requests it may still make (negative: no limit)
  private final Map<String, AtomicInteger> sessions = new ConcurrentHashMap<>();
  private final Set<String> csrfTokens = ConcurrentHashMap.newKeySet();
  private final List<String> requested = new CopyOnWriteArrayList<>();
  private final AtomicInteger logins = new AtomicInteger();
  private final AtomicInteger failedLogins = new AtomicInteger();
  private final AtomicInteger destructive = new AtomicInteger();
  private volatile int sessionRequests = -1;

  LoginSite(String password) {
    this.password = password;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 100);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::serve);
    server.start();
  }

  /** Ends every session after it has made {@code requests} requests from now on. */
  LoginSite sessionsLast(int requests) {
    this.sessionRequests = requests;
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  int logins() {
    return logins.get();
  }

  int failedLogins() {
    return failedLogins.get();
  }

  /** Requests to logout and destructive links. */
  int destructiveRequests() {
    return destructive.get();
  }

  List<String> requested() {
    return List.copyOf(requested);
  }

  private static String page(String title, String... links) {
    StringBuilder body =
        new StringBuilder("<html><head><title>" + title + "</title></head><body><h1>" + title);
    body.append("</h1>");
    for (String link : links) {
      body.append("<a href=\"").append(link).append("\">").append(link).append("</a> ");
    }
    return body.append("</body></html>").toString();
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      String query = exchange.getRequestURI().getRawQuery();
      String pathAndQuery = query == null ? path : path + "?" + query;
      requested.add(exchange.getRequestMethod() + " " + pathAndQuery);
      if (path.equals("/robots.txt")) {
        send(exchange, 404, "text/plain", "");
      } else if (path.equals("/login")) {
        login(exchange);
      } else if (path.equals("/js-login")) {
        // The same login, but its form is written by a script: only a browser sees it.
        String token = UUID.randomUUID().toString();
        csrfTokens.add(token);
        exchange.getResponseHeaders().add("Set-Cookie", "csrf=" + token + "; Path=/; HttpOnly");
        String form =
            loginForm(token, null)
                .replaceAll("(?s).*<body>(.*)</body>.*", "$1")
                .replace("type=text name=username", "type=text id=user name=username")
                .replace("type=password name=password", "type=password id=pass name=password")
                .replace("<button type=submit>", "<button id=go type=submit>");
        send(
            exchange,
            200,
            "text/html; charset=utf-8",
            "<html><head><title>Log in</title></head><body><div id=app></div><script>"
                + "document.getElementById('app').innerHTML = '"
                + form.replace("'", "\\'")
                + "';</script></body></html>");
      } else if (DESTRUCTIVE.contains(pathAndQuery)) {
        destructive.incrementAndGet();
        String session = cookie(exchange, "sid");
        if (session != null) {
          sessions.remove(session);
        }
        redirect(exchange, "/");
      } else if (path.equals("/account/api/links")) {
        if (validSession(exchange)) {
          send(exchange, 200, "application/json", "[\"" + SCRIPTED + "\"]");
        } else {
          send(exchange, 401, "application/json", "{\"error\":\"log in\"}");
        }
      } else if (path.equals(SCRIPTED)
          || path.equals("/account/vault/item")
          || path.equals("/account/idb/item")) {
        if (validSession(exchange)) {
          send(exchange, 200, "text/html; charset=utf-8", page("Found by rendering", "/account"));
        } else {
          redirect(exchange, "/login?next=" + path);
        }
      } else if (SCRIPTED_PAGES.containsKey(path)) {
        if (validSession(exchange)) {
          send(exchange, 200, "text/html; charset=utf-8", SCRIPTED_PAGES.get(path));
        } else {
          redirect(exchange, "/login?next=" + path);
        }
      } else if (path.equals("/calendar") && query != null && query.matches("m=\\d{1,4}")) {
        // An endless calendar: each month's script links the next one.
        int month = Integer.parseInt(query.substring(2));
        send(
            exchange,
            200,
            "text/html; charset=utf-8",
            "<html><head><title>Month "
                + month
                + "</title></head><body><noscript>Needs"
                + " JavaScript</noscript><script>const a = document.createElement('a'); a.href ="
                + " '/calendar?m="
                + (month + 1)
                + "'; a.textContent = 'next';"
                + " document.body.appendChild(a);</script></body></html>");
      } else if (PUBLIC.contains(path)) {
        send(exchange, 200, "text/html; charset=utf-8", PAGES.get(path));
      } else if (PRIVATE.contains(path)) {
        if (!validSession(exchange)) {
          redirect(exchange, "/login?next=" + path);
        } else {
          send(exchange, 200, "text/html; charset=utf-8", PAGES.get(path));
        }
      } else {
        send(exchange, 404, "text/plain", "no such page");
      }
    }
  }

  private boolean validSession(HttpExchange exchange) {
    String session = cookie(exchange, "sid");
    AtomicInteger left = session == null ? null : sessions.get(session);
    if (left == null) {
      return false;
    }
    if (left.get() < 0) {
      return true;
    }
    if (left.getAndDecrement() <= 0) {
      sessions.remove(session);
      return false;
    }
    return true;
  }

  private void login(HttpExchange exchange) throws IOException {
    if (exchange.getRequestMethod().equals("GET")) {
      String token = UUID.randomUUID().toString();
      csrfTokens.add(token);
      exchange.getResponseHeaders().add("Set-Cookie", "csrf=" + token + "; Path=/; HttpOnly");
      send(exchange, 200, "text/html; charset=utf-8", loginForm(token, null));
      return;
    }
    Map<String, String> form =
        formFields(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String token = form.get("csrf");
    if (token == null || !token.equals(cookie(exchange, "csrf")) || !csrfTokens.remove(token)) {
      failedLogins.incrementAndGet();
      send(exchange, 403, "text/plain", "CSRF token missing or wrong");
      return;
    }
    if (!USERNAME.equals(form.get("username")) || !password.equals(form.get("password"))) {
      failedLogins.incrementAndGet();
      String again = UUID.randomUUID().toString();
      csrfTokens.add(again);
      exchange.getResponseHeaders().add("Set-Cookie", "csrf=" + again + "; Path=/; HttpOnly");
      send(exchange, 200, "text/html; charset=utf-8", loginForm(again, "Wrong password"));
      return;
    }
    logins.incrementAndGet();
    String session = UUID.randomUUID().toString();
    sessions.put(session, new AtomicInteger(sessionRequests));
    exchange.getResponseHeaders().add("Set-Cookie", "sid=" + session + "; Path=/; HttpOnly");
    redirect(exchange, "/account");
  }

  private static String loginForm(String token, @Nullable String error) {
    return "<html><head><title>"
        + (error == null ? "Log in" : error)
        + "</title></head><body>"
        + (error == null ? "" : "<p class=error>" + error + "</p>")
        + "<form method=post action=/login>"
        + "<input type=hidden name=csrf value=\""
        + token
        + "\"><input type=text name=username><input type=password name=password>"
        + "<button type=submit>Log in</button></form><a href=\"/\">home</a></body></html>";
  }

  private static @Nullable String cookie(HttpExchange exchange, String name) {
    for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String pair : header.split(";")) {
        String[] parts = pair.strip().split("=", 2);
        if (parts.length == 2 && parts[0].equals(name)) {
          return parts[1];
        }
      }
    }
    return null;
  }

  private static Map<String, String> formFields(String body) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : body.split("&")) {
      String[] parts = pair.split("=", 2);
      if (parts.length == 2) {
        fields.put(
            URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
            URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void redirect(HttpExchange exchange, String location) throws IOException {
    exchange.getResponseHeaders().set("Location", location);
    exchange.sendResponseHeaders(302, -1);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
