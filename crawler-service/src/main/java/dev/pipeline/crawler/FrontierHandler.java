package dev.pipeline.crawler;

import crawlercommons.robots.BaseRobotRules;
import crawlercommons.robots.SimpleRobotRulesParser;
import dev.pipeline.core.message.CrawlControl;
import dev.pipeline.core.message.CrawlUrls;
import dev.pipeline.core.message.FrontierUrl;
import dev.pipeline.core.message.PageResult;
import dev.pipeline.core.message.SkippedUrl;
import dev.pipeline.core.net.GuardedSocketFactory;
import dev.pipeline.core.runtime.Job;
import dev.pipeline.core.runtime.JobAbandonedException;
import dev.pipeline.core.runtime.JobHandler;
import dev.pipeline.core.runtime.PartitionListener;
import dev.pipeline.core.runtime.Publisher;
import dev.pipeline.core.runtime.RetriableJobException;
import dev.pipeline.core.topic.Topics;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import okhttp3.Request;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Does one frontier URL: decides whether it is fetched (crawl state, seen-set, robots.txt, page
 * budget), waits its host's turn, fetches it (with retries), and publishes the page, the links it
 * found (a redirect's target among them) and its seen marker. A URL's job completes once all of
 * that is acknowledged by Kafka, so its frontier offset is committed only after its effects are
 * durable.
 */
final class FrontierHandler implements JobHandler<FrontierUrl>, PartitionListener {
  private static final Logger log = LoggerFactory.getLogger(FrontierHandler.class);
  private static final int MAX_ATTEMPTS = 3;
  private static final long MAX_RETRY_AFTER_MS = 300_000;

  private final CrawlRegistry registry;
  private final StateStore store;
  private final PageFetcher fetcher;
  private final Publisher publisher;
  private final String worker;
  private final Semaphore fetches;
  private final Map<String, Host> hosts = new ConcurrentHashMap<>();
  private final Map<Integer, SeenUrls> seen = new ConcurrentHashMap<>();
  private final Set<Integer> leaving = ConcurrentHashMap.newKeySet();
  private final Credentials credentials;
  private final @Nullable RenderPool renderer;
  // The logged-in session of each crawl that has a login, once this process first fetches for it.
  private final Map<String, LoginSession> sessions = new ConcurrentHashMap<>();
  // URLs this process has already handed to the frontier or recorded as skipped, so a link found on
  // a thousand pages is published once per process, not a thousand times.
  private final SeenUrls announced = new SeenUrls();

  FrontierHandler(
      CrawlRegistry registry,
      StateStore store,
      PageFetcher fetcher,
      Publisher publisher,
      String worker,
      int maxFetches,
      Credentials credentials,
      @Nullable RenderPool renderer) {
    this.registry = registry;
    this.credentials = credentials;
    this.renderer = renderer;
    this.store = store;
    this.fetcher = fetcher;
    this.publisher = publisher;
    this.worker = worker;
    this.fetches = new Semaphore(maxFetches);
  }

  @Override
  public CompletableFuture<?> handle(Job<FrontierUrl> job) throws Exception {
    FrontierUrl frontier = job.message();
    Crawl crawl = registry.crawl(frontier.crawlId());
    if (crawl == null) {
      throw new RetriableJobException("crawl " + frontier.crawlId() + " is not known (yet)");
    }
    String url = CrawlUrls.normalizeOrNull(frontier.url());
    if (url == null) {
      throw new IllegalArgumentException("not a URL a crawler can fetch: " + frontier.url());
    }
    SeenUrls partitionSeen = seen.get(job.partition());
    if (partitionSeen == null || leaving.contains(job.partition())) {
      throw new JobAbandonedException("partition " + job.partition() + " is not ours");
    }
    Host host = hosts.computeIfAbsent(CrawlUrls.hostKey(url), Host::new);
    Visit visit =
        new Visit(
            crawl, frontier, url, host, job.partition(), job.partition() + ":" + job.offset());
    if (registry.state(crawl.id()) == CrawlControl.State.CANCELLED) {
      return visit.skip(SkippedUrl.Reason.CANCELLED, null);
    }
    if (registry.state(crawl.id()) == CrawlControl.State.FAILED) {
      return visit.skip(SkippedUrl.Reason.FAILED, registry.failure(crawl.id()));
    }
    SeenUrls.Claim claim =
        partitionSeen.claim(SeenUrls.fingerprint(crawl.id(), url), frontier.depth());
    if (claim == SeenUrls.Claim.SEEN) {
      return visit.skip(SkippedUrl.Reason.ALREADY_SEEN, null);
    }
    host.submit(visit);
    return visit.done;
  }

  @Override
  public void assigned(Collection<TopicPartition> partitions) {
    List<Integer> numbers =
        partitions.stream()
            .filter(tp -> tp.topic().equals(Topics.CRAWL_FRONTIER))
            .map(TopicPartition::partition)
            .toList();
    if (numbers.isEmpty()) {
      return;
    }
    store
        .restore(numbers)
        .forEach(
            (partition, restored) -> {
              restored
                  .hosts()
                  .forEach(
                      record -> hosts.computeIfAbsent(record.host(), Host::new).restore(record));
              seen.put(partition, restored.seen());
              leaving.remove(partition);
            });
  }

  @Override
  public void revoking(Collection<TopicPartition> partitions) {
    partitions.forEach(tp -> leaving.add(tp.partition()));
  }

  @Override
  public void revoked(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      seen.remove(partition.partition());
    }
  }

  /** One frontier URL on its way through its host's queue. */
  private final class Visit implements Runnable {
    final Crawl crawl;
    final FrontierUrl frontier;
    final String url;
    final Host host;
    final int partition;
    final String ref;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final List<CompletableFuture<?>> writes = new ArrayList<>();

    Visit(Crawl crawl, FrontierUrl frontier, String url, Host host, int partition, String ref) {
      this.crawl = crawl;
      this.frontier = frontier;
      this.url = url;
      this.host = host;
      this.partition = partition;
      this.ref = ref;
    }

    private boolean leaving() {
      return leaving.contains(partition);
    }

    /** Gives the job back unprocessed: its partition's next owner does it. */
    private void abandon(String why) {
      done.completeExceptionally(new JobAbandonedException(why));
    }

    /** Runs on the host's thread: everything up to taking a request slot. */
    @Override
    public void run() {
      try {
        while (registry.state(crawl.id()) == CrawlControl.State.PAUSED
            && !leaving.contains(partition)) {
          Thread.sleep(250);
        }
        if (leaving.contains(partition)) {
          abandon("partition " + partition + " left");
          return;
        }
        if (registry.state(crawl.id()) == CrawlControl.State.CANCELLED) {
          skip(SkippedUrl.Reason.CANCELLED, null);
          return;
        }
        if (registry.state(crawl.id()) == CrawlControl.State.FAILED) {
          skip(SkippedUrl.Reason.FAILED, registry.failure(crawl.id()));
          return;
        }
        if (!crawl.job().ignoreRobots()) {
          BaseRobotRules rules = robots(host);
          if (rules == null) {
            abandon("partition " + partition + " left");
            return;
          }
          if (!rules.isAllowed(url)) {
            skip(SkippedUrl.Reason.ROBOTS, null);
            return;
          }
        }
        if (!registry.reserve(crawl)) {
          skip(SkippedUrl.Reason.MAX_PAGES, "max-pages is " + crawl.job().maxPages());
          return;
        }
        if (!host.acquire(crawl.job().perHostConcurrency(), delay(host), this::leaving)) {
          registry.release(crawl, false);
          abandon("partition " + partition + " left");
          return;
        }
        fetches.acquire();
        Thread.ofVirtual().name("fetch-" + host.key()).start(() -> fetchAndPublish(host));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandon("interrupted");
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }

    /** Runs on its own virtual thread, holding a slot of its host and of the process. */
    private void fetchAndPublish(Host host) {
      long delay = delay(host);
      boolean fetched = false;
      String refused = null;
      String loginFailed = null;
      try {
        PageResult page = fetchPage(host, delay);
        fetched = true;
        writes.add(publisher.publish(Topics.CRAWL_PAGES, crawl.id() + " " + url, page));
      } catch (GuardedSocketFactory.RefusedAddressException e) {
        refused = e.getMessage();
      } catch (LoginSession.LoginFailedException e) {
        loginFailed = e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandon("interrupted while fetching " + url);
        return;
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        return;
      } finally {
        host.release(delay);
        fetches.release();
        registry.release(crawl, fetched);
        StateStore.HostRecord politeness = host.snapshot();
        if (politeness.nextAllowedAt() > System.currentTimeMillis()
            || politeness.backoffUntil() > System.currentTimeMillis()) {
          writes.add(store.saveHost(partition, politeness));
        }
      }
      if (refused != null) {
        skip(SkippedUrl.Reason.REFUSED_ADDRESS, refused);
      } else if (loginFailed != null) {
        if (registry.state(crawl.id()) != CrawlControl.State.FAILED) {
          registry.fail(crawl.id(), loginFailed); // once per process: the session remembers
        }
        skip(SkippedUrl.Reason.FAILED, loginFailed);
      } else {
        markSeenAfterWrites();
      }
    }

    /**
     * Writes the URL's seen record once the page and its links are in Kafka, then completes. A
     * process killed between the two leaves the URL unseen, so its heir fetches it again (a second
     * copy of the page) instead of skipping it as seen (a lost page). This waits on the fetch's own
     * virtual thread: chaining the write onto the acknowledgement would run it on the producer's
     * network thread, which a send waiting for metadata blocks.
     */
    private void markSeenAfterWrites() {
      try {
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).join();
      } catch (java.util.concurrent.CompletionException
          | java.util.concurrent.CancellationException e) {
        done.completeExceptionally(
            new IllegalStateException("Kafka did not take the results of " + url, e));
        return;
      }
      writes.add(store.saveSeen(partition, crawl.id(), url, frontier.depth()));
      complete();
    }

    /**
     * Fetches the URL and returns its page. A redirect is not followed here: its target goes to the
     * frontier like a link (same depth), so it is fetched once, by its host's owner, within scope.
     */
    private PageResult fetchPage(Host host, long delay)
        throws InterruptedException,
            GuardedSocketFactory.RefusedAddressException,
            LoginSession.LoginFailedException {
      long started = System.nanoTime();
      String finalUrl = url;
      List<String> redirects = new ArrayList<>();
      int outlinks = 0;
      String error = null;
      String missing = crawl.missingCredential(worker);
      if (missing != null) {
        throw new LoginSession.LoginFailedException(missing);
      }
      LoginSession session = session();
      PageFetcher client = session == null ? fetcher : session.fetcher();
      int login = session == null ? 0 : session.ensureLoggedIn();
      PageFetcher.Fetched response = attempts(client, host, url, delay);
      if (session != null && session.loggedOut(url, response)) {
        session.relogin(login); // once; then the page is asked for again
        response = attempts(client, host, url, delay);
        if (session.loggedOut(url, response)) {
          error = "still logged out after logging in again";
        }
      }
      if (response.status() >= 300 && response.status() < 400 && response.location() != null) {
        String target = CrawlUrls.normalizeOrNull(Links.resolve(url, response.location()));
        SkippedUrl.Reason refusal = target == null ? null : crawl.refusal(target, frontier.depth());
        if (target == null) {
          error = "redirect to a URL that cannot be crawled: " + response.location();
        } else if (target.equals(url)) {
          error = "redirect loop: " + url + " redirects to itself";
        } else if (refusal != null) {
          error = "redirect to " + target + ": " + refusal.label();
          announce(target, frontier.depth(), url, refusal);
        } else if (frontier.redirects() + 1 > FrontierUrl.MAX_REDIRECTS) {
          error = "more than " + FrontierUrl.MAX_REDIRECTS + " redirects in a row";
        } else {
          outlinks = announce(target, frontier.depth(), url, frontier.redirects() + 1) ? 1 : 0;
          finalUrl = target;
          redirects.add(target);
        }
      }
      Links links = Links.NONE;
      Long renderMs = null;
      java.util.Map<String, Object> extracted = null;
      if (response.truncated()) {
        error = "page larger than " + fetcher.maxBytes() + " bytes: not parsed";
      } else if (response.status() >= 200
          && response.status() < 300
          && Links.isHtml(response.contentType())) {
        try {
          org.jsoup.nodes.Document document =
              Links.document(response.body(), response.contentType(), url);
          links = Links.of(document);
          if (crawl.needsRender(url, document)) {
            if (renderer == null) {
              error = "not rendered: this crawler renders nothing (--render-pool 0)";
            } else {
              try {
                RenderPool.Rendered rendered = renderer.render(renderRequest(response, session));
                renderMs = rendered.renderMs();
                extracted = rendered.extracted();
                if (rendered.stepError() != null) {
                  error = rendered.stepError();
                }
                links = Links.of(org.jsoup.Jsoup.parse(rendered.html(), url));
                if (!rendered.blocked().isEmpty()) {
                  log.info("{}: the page's requests refused: {}", url, rendered.blocked());
                }
              } catch (RenderPool.RenderException e) {
                error = "not rendered: " + e.getMessage(); // its HTTP links still count
              }
            }
          }
        } catch (IOException e) {
          error = "could not parse the page: " + e.getMessage();
        }
      }
      if (response.status() == 0 && error == null) {
        error = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
      } else if (response.status() >= 400 && error == null) {
        error = "HTTP " + response.status();
      }
      for (String link : links.urls()) {
        String normal = CrawlUrls.normalizeOrNull(link);
        if (normal == null) {
          continue; // mailto:, javascript:, ftp: and broken hrefs are not pages
        }
        outlinks++;
        SkippedUrl.Reason refusal = crawl.refusal(normal, frontier.depth() + 1);
        if (refusal != null) {
          announce(normal, frontier.depth() + 1, url, refusal);
        } else {
          announce(normal, frontier.depth() + 1, url, 0);
        }
      }
      return new PageResult(
          1,
          crawl.id(),
          url,
          finalUrl,
          response.status(),
          response.contentType(),
          links.title(),
          frontier.depth(),
          frontier.parent(),
          outlinks,
          response.bytes(),
          response.status() == 0 ? null : response.sha256(),
          (System.nanoTime() - started) / 1_000_000,
          error,
          redirects,
          ref,
          worker,
          Instant.now(),
          renderMs,
          extracted);
    }

    /**
     * Requests {@code target}, retrying network errors and 5xx with backoff and honouring 429's
     * Retry-After, while holding the host's slot so nothing else asks the host meanwhile. A network
     * failure after the last attempt is returned as status 0 with the reason as body.
     */
    private PageFetcher.Fetched attempts(PageFetcher client, Host host, String target, long delay)
        throws InterruptedException, GuardedSocketFactory.RefusedAddressException {
      for (int attempt = 1; ; attempt++) {
        long backoff = Math.max(delay, 500L << (attempt - 1));
        try {
          Request request =
              crawl.decorate(new Request.Builder().url(target).get(), host.key()).build();
          PageFetcher.Fetched response = client.fetch(request, crawl.job().allowPrivateAddresses());
          int status = response.status();
          if ((status != 429 && status < 500) || attempt >= MAX_ATTEMPTS) {
            return response;
          }
          long wait = Math.max(backoff, retryAfterMillis(response.retryAfter()));
          if (wait > MAX_RETRY_AFTER_MS) {
            return response;
          }
          if (status == 429 || response.retryAfter() != null) {
            host.backOff(wait);
            writes.add(store.saveHost(partition, host.snapshot()));
          }
          Thread.sleep(wait);
        } catch (GuardedSocketFactory.RefusedAddressException e) {
          throw e;
        } catch (IOException e) {
          if (attempt >= MAX_ATTEMPTS) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return new PageFetcher.Fetched(
                0,
                null,
                null,
                null,
                (reason + " (after " + attempt + " attempts)")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                0,
                false,
                "");
          }
          Thread.sleep(backoff);
        }
      }
    }

    private RenderPool.Request renderRequest(
        PageFetcher.Fetched response, @Nullable LoginSession session) {
      return RenderPool.Request.page(
          crawl,
          url,
          response,
          session == null ? List.of() : session.cookiesFor(url),
          session != null,
          crawl.job().login() == null ? null : credentials.get(crawl.job().login().credential()));
    }

    /** The crawl's logged-in session in this process, or null when the crawl has no login. */
    private @Nullable LoginSession session() {
      if (crawl.job().login() == null) {
        return null;
      }
      return sessions.computeIfAbsent(
          crawl.id(),
          id ->
              new LoginSession(
                  crawl,
                  credentials.get(crawl.job().login().credential()),
                  fetcher,
                  renderer,
                  worker));
    }

    /**
     * Fetches (once per host and agent) and caches the host's robots.txt rules; null when the
     * host's partition is being taken away meanwhile.
     */
    private @Nullable BaseRobotRules robots(Host host) throws InterruptedException {
      String agent = robotName(crawl.job().userAgent());
      BaseRobotRules cached = host.robots(agent);
      if (cached != null) {
        return cached;
      }
      URI page = URI.create(url);
      String robotsUrl = page.getScheme() + "://" + page.getRawAuthority() + "/robots.txt";
      SimpleRobotRulesParser parser = new SimpleRobotRulesParser();
      BaseRobotRules rules = null;
      long delay = crawl.job().delayMs();
      if (!host.acquire(crawl.job().perHostConcurrency(), delay, this::leaving)) {
        return null;
      }
      try {
        PageFetcher.Fetched response = robotsResponse(robotsUrl, host);
        if (response == null) {
          rules = parser.failedFetch(503); // unreachable: RFC 9309 says assume complete disallow
        } else if (response.status() >= 200 && response.status() < 300) {
          rules =
              parser.parseContent(
                  robotsUrl, response.body(), response.contentType(), List.of(agent));
        } else {
          rules = parser.failedFetch(response.status());
        }
      } finally {
        // The Crawl-delay holds from the robots.txt request on.
        host.release(
            rules != null && rules.getCrawlDelay() > delay ? rules.getCrawlDelay() : delay);
      }
      long crawlDelay = rules.getCrawlDelay() > 0 ? rules.getCrawlDelay() : 0;
      host.robots(agent, rules, crawlDelay);
      return rules;
    }

    /** Fetches robots.txt, following up to five redirects; null when it cannot be reached. */
    private PageFetcher.@Nullable Fetched robotsResponse(String robotsUrl, Host host) {
      String target = robotsUrl;
      try {
        for (int hop = 0; hop <= 5; hop++) {
          Request request =
              crawl.decorate(new Request.Builder().url(target).get(), host.key()).build();
          PageFetcher.Fetched response =
              fetcher.fetch(request, crawl.job().allowPrivateAddresses());
          if (response.status() < 300 || response.status() >= 400 || response.location() == null) {
            return response;
          }
          target = Links.resolve(target, response.location());
        }
        return null;
      } catch (GuardedSocketFactory.RefusedAddressException e) {
        // The page itself will be refused with the reason; robots.txt cannot say more.
        return new PageFetcher.Fetched(404, null, null, null, new byte[0], 0, false, "");
      } catch (IOException | IllegalArgumentException e) {
        log.info("robots.txt of {} unreachable: {}", host.key(), e.toString());
        return null;
      }
    }

    private long delay(Host host) {
      long delay = crawl.job().delayMs();
      return crawl.job().ignoreRobots() ? delay : Math.max(delay, host.crawlDelayMs());
    }

    /**
     * Hands a link on to the frontier unless this process already did at this depth or shallower;
     * returns whether it did.
     */
    private boolean announce(String link, int depth, String parent, int redirects) {
      SeenUrls.Claim claim = announced.claim(SeenUrls.fingerprint(crawl.id(), link), depth);
      if (claim == SeenUrls.Claim.SEEN) {
        return false;
      }
      writes.add(
          publisher.publish(
              Topics.CRAWL_FRONTIER,
              CrawlUrls.hostKey(link),
              new FrontierUrl(1, crawl.id(), link, depth, parent, redirects)));
      return true;
    }

    /** Records a link that is not followed, once per process. */
    private void announce(String link, int depth, String parent, SkippedUrl.Reason reason) {
      SeenUrls.Claim claim = announced.claim(SeenUrls.fingerprint(crawl.id(), link), depth);
      if (claim == SeenUrls.Claim.SEEN) {
        return;
      }
      writes.add(
          publisher.publish(
              Topics.CRAWL_SKIPPED,
              crawl.id() + " " + link,
              new SkippedUrl(
                  1, crawl.id(), link, reason, null, depth, parent, null, worker, Instant.now())));
    }

    /** Settles the frontier URL as not fetched, with the reason. */
    CompletableFuture<Void> skip(SkippedUrl.Reason reason, @Nullable String detail) {
      writes.add(
          publisher.publish(
              Topics.CRAWL_SKIPPED,
              crawl.id() + " " + url,
              new SkippedUrl(
                  1,
                  crawl.id(),
                  url,
                  reason,
                  detail,
                  frontier.depth(),
                  frontier.parent(),
                  ref,
                  worker,
                  Instant.now())));
      complete();
      return done;
    }

    private void complete() {
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new))
          .whenComplete(
              (ignored, error) -> {
                if (error == null) {
                  done.complete(null);
                } else {
                  done.completeExceptionally(
                      new IllegalStateException("Kafka did not take the results of " + url, error));
                }
              });
    }
  }

  /** The product token robots.txt groups are matched against: "MyBot/1.0 (+url)" -> "mybot". */
  static String robotName(String userAgent) {
    String token = userAgent.strip().split("[/\\s]", 2)[0];
    return token.toLowerCase(Locale.ROOT);
  }

  /** Retry-After as delta-seconds or an HTTP date; 0 when absent or unreadable. */
  static long retryAfterMillis(@Nullable String retryAfter) {
    if (retryAfter == null || retryAfter.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(retryAfter.strip()) * 1000);
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at =
            ZonedDateTime.parse(retryAfter.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
      } catch (java.time.format.DateTimeParseException unreadable) {
        return 0;
      }
    }
  }
}
