package dev.sessionlog.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.client.internal.BatchingProducer;
import dev.sessionlog.client.internal.EventIds;
import dev.sessionlog.client.internal.Followers;
import dev.sessionlog.client.internal.Json;
import dev.sessionlog.client.internal.Pages;
import dev.sessionlog.client.internal.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * sessionlog's HTTP API, typed: every operation of openapi.yaml, with safe retries (event ids are
 * made before the first attempt, so a resent append is a duplicate, never a second event), a
 * batching producer and a follower. Thread-safe; one client per service and tenant is enough.
 *
 * <pre>{@code
 * SessionlogClient client = SessionlogClient.builder().baseUrl("http://localhost:8080").tenant("acme").build();
 * AppendResult result = client.append("s1", List.of(NewEvent.of(Map.of("type", "TurnStart"))));
 * }</pre>
 */
public final class SessionlogClient implements AutoCloseable {
  /** The API's limits that the client checks before sending. */
  public static final int MAX_EVENTS_PER_REQUEST = 100;
  public static final int MAX_EVENT_BYTES = 1024 * 1024;
  /** The request limit is 5 MiB of JSON; the producer keeps its requests a little under it. */
  public static final int MAX_REQUEST_BYTES = 5 * 1024 * 1024 - 64 * 1024;

  private final Transport transport;
  private final RetryPolicy retryPolicy;
  private final ScheduledExecutorService timers;
  private final ExecutorService senders;

  private SessionlogClient(Builder builder) {
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(builder.connectTimeout);
    if ("http".equals(builder.baseUrl.getScheme())) {
      http.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade on plain HTTP
    }
    this.transport = new Transport(http.build(), builder.baseUrl, builder.tenant, builder.bearerToken,
        builder.requestTimeout, builder.retryPolicy, builder.observer);
    this.retryPolicy = builder.retryPolicy;
    AtomicInteger threads = new AtomicInteger();
    this.timers = Executors.newSingleThreadScheduledExecutor(runnable -> daemon(runnable, "sessionlog-linger"));
    this.senders = Executors.newCachedThreadPool(runnable -> daemon(runnable, "sessionlog-sender-" + threads.incrementAndGet()));
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  public static Builder builder() {
    return new Builder();
  }

  // ---- append ----

  /** Appends 1 to 100 events, all or none, at the session's next seqs. */
  public AppendResult append(String sessionId, List<NewEvent> events) {
    return append(sessionId, events, null);
  }

  /** Appends 1 to 100 events when the session's head is {@code expectedSeq} (0: the session must not exist yet). */
  public AppendResult append(String sessionId, List<NewEvent> events, long expectedSeq) {
    if (expectedSeq < 0) {
      throw new IllegalArgumentException("expectedSeq must be at least 0, was " + expectedSeq);
    }
    return append(sessionId, events, Long.valueOf(expectedSeq));
  }

  public AppendResult append(String sessionId, NewEvent... events) {
    return append(sessionId, List.of(events), null);
  }

  private AppendResult append(String sessionId, List<NewEvent> events, Long expectedSeq) {
    Ids.require(sessionId, "sessionId");
    List<NewEvent> withIds = withEventIds(events);
    byte[] body = appendBody(withIds, expectedSeq);
    if (body.length > MAX_REQUEST_BYTES + 64 * 1024) {
      throw new IllegalArgumentException("the request is " + body.length + " bytes of JSON; the limit is 5 MiB per request");
    }
    Transport.Answer answer = transport.send("POST", path(sessionId) + "/events", body);
    return appendResult(Json.tree(answer.body()));
  }

  /** Gives each event without an id a UUIDv7 (before the first attempt, so that a retry carries the same ids). */
  static List<NewEvent> withEventIds(List<NewEvent> events) {
    Objects.requireNonNull(events, "events must not be null");
    if (events.isEmpty() || events.size() > MAX_EVENTS_PER_REQUEST) {
      throw new IllegalArgumentException("events must hold 1 to 100 events, held " + events.size());
    }
    List<NewEvent> withIds = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      NewEvent event = Objects.requireNonNull(events.get(i), "events[" + i + "] must not be null");
      withIds.add(event.eventId() == null ? event.withEventId(EventIds.next()) : event);
    }
    return withIds;
  }

  /** The JSON of one envelope, as it goes into a request. */
  public static ObjectNode envelope(NewEvent event) {
    ObjectNode envelope = Json.MAPPER.createObjectNode();
    if (event.eventId() != null) {
      envelope.put("event_id", event.eventId());
    }
    if (event.parentEventId() != null) {
      envelope.put("parent_event_id", event.parentEventId());
    }
    if (event.parentSessionId() != null) {
      envelope.put("parent_session_id", event.parentSessionId());
    }
    envelope.set("event", event.event());
    return envelope;
  }

  private static byte[] appendBody(List<NewEvent> events, Long expectedSeq) {
    ObjectNode request = Json.MAPPER.createObjectNode();
    if (expectedSeq != null) {
      request.put("expected_seq", expectedSeq);
    }
    ArrayNode array = request.putArray("events");
    for (NewEvent event : events) {
      ObjectNode envelope = envelope(event);
      int eventBytes = Json.write(event.event()).length;
      if (eventBytes > MAX_EVENT_BYTES) {
        throw new IllegalArgumentException("event " + event.eventId() + " is " + eventBytes
            + " bytes of JSON; the limit is 1 MiB per event");
      }
      array.add(envelope);
    }
    return Json.write(request);
  }

  private static AppendResult appendResult(JsonNode answer) {
    String sessionId = answer.path("session_id").asText();
    String chain = answer.path("chain").isNull() ? null : answer.path("chain").asText(null);
    long maxSeq = 0;
    for (JsonNode event : answer.path("events")) {
      maxSeq = Math.max(maxSeq, event.path("seq").asLong());
    }
    Receipt receipt = chain == null ? null : new Receipt(sessionId, maxSeq, chain);
    List<AppendedEvent> events = new ArrayList<>();
    for (JsonNode event : answer.path("events")) {
      events.add(new AppendedEvent(sessionId, event.path("event_id").asText(), event.path("seq").asLong(),
          event.path("duplicate").asBoolean(), receipt));
    }
    return new AppendResult(sessionId, answer.path("head_seq").asLong(), chain, events);
  }

  // ---- read ----

  /** One page of events. */
  public EventsPage read(String sessionId, ReadOptions options) {
    Ids.require(sessionId, "sessionId");
    Objects.requireNonNull(options, "options must not be null");
    options.check();
    Query query = new Query();
    query.add("after_seq", options.afterSeq());
    query.add("before_seq", options.beforeSeq());
    if (options.order() == Order.DESC) {
      query.add("order", "desc");
    }
    if (!options.types().isEmpty()) {
      query.add("types", String.join(",", options.types()));
    }
    query.add("limit", options.limit());
    query.add("wait", options.waitSeconds());
    Duration extra = options.waitSeconds() == null ? Duration.ZERO : Duration.ofSeconds(options.waitSeconds());
    Transport.Answer answer = transport.send("GET", path(sessionId) + "/events" + query, null, extra, retryPolicy);
    EventsPage page = Json.read(answer.body(), EventsPage.class);
    transport.observer().onEventsRead(sessionId, page.events().size());
    return page;
  }

  /** Every event the options select, lazily: a page is read only when the events before it were consumed. */
  public Stream<EventRecord> readAll(String sessionId, ReadOptions options) {
    return Pages.stream(options.copy(), cursor -> eventsPage(sessionId, cursor));
  }

  /** {@link #readAll} as an iterator. */
  public Iterator<EventRecord> iterate(String sessionId, ReadOptions options) {
    return Pages.iterator(options.copy(), cursor -> eventsPage(sessionId, cursor));
  }

  private Pages.Page<ReadOptions, EventRecord> eventsPage(String sessionId, ReadOptions options) {
    if (options.waitSeconds() != null) {
      throw new IllegalArgumentException("readAll ends at the head: use follow(...) to wait for new events");
    }
    EventsPage page = read(sessionId, options);
    ReadOptions next = null;
    if (options.order() == Order.DESC && page.nextBeforeSeq() != null) {
      next = options.copy().beforeSeq(page.nextBeforeSeq());
    } else if (options.order() == Order.ASC && page.nextAfterSeq() != null) {
      next = options.copy().afterSeq(page.nextAfterSeq());
    }
    return new Pages.Page<>(page.events(), next);
  }

  /** The session's last seq and event. */
  public Head head(String sessionId) {
    Ids.require(sessionId, "sessionId");
    Head head = Json.read(transport.send("GET", path(sessionId) + "/head", null).body(), Head.class);
    transport.observer().onEventsRead(sessionId, 1);
    return head;
  }

  /** One page of the events (in any session of the tenant) whose parent is this event. */
  public ChildrenPage children(String sessionId, String eventId, Integer limit, String cursor) {
    Ids.require(sessionId, "sessionId");
    Ids.require(eventId, "eventId");
    checkLimit(limit);
    Query query = new Query();
    query.add("limit", limit);
    query.add("cursor", cursor);
    return Json.read(transport.send("GET", path(sessionId) + "/events/" + eventId + "/children" + query, null).body(),
        ChildrenPage.class);
  }

  /** Every child of the event, lazily over pages. */
  public Stream<ChildRecord> allChildren(String sessionId, String eventId) {
    return Pages.stream("", cursor -> {
      ChildrenPage page = children(sessionId, eventId, 1000, cursor.isEmpty() ? null : cursor);
      return new Pages.Page<>(page.children(), page.nextCursor());
    });
  }

  // ---- sessions ----

  /** The materialized session (phi-core's SessionRecorder fold). */
  public MaterializedSession session(String sessionId) {
    Ids.require(sessionId, "sessionId");
    return Json.read(transport.send("GET", path(sessionId), null).body(), MaterializedSession.class);
  }

  /** One loop of the materialized session. */
  public Loop loop(String sessionId, String loopId) {
    Ids.require(sessionId, "sessionId");
    return Json.read(transport.send("GET", path(sessionId) + "/loops/" + segment(loopId, "loopId"), null).body(), Loop.class);
  }

  /** A page of a loop's messages or turns, from index {@code after}. */
  public LoopPartPage loopPart(String sessionId, String loopId, LoopPart part, int after, Integer limit) {
    Ids.require(sessionId, "sessionId");
    Objects.requireNonNull(part, "part must not be null");
    if (after < 0) {
      throw new IllegalArgumentException("after must be at least 0, was " + after);
    }
    checkLimit(limit);
    Query query = new Query();
    query.add("part", part.wire());
    query.add("after", after);
    query.add("limit", limit);
    return Json.read(transport.send("GET", path(sessionId) + "/loops/" + segment(loopId, "loopId") + query, null).body(),
        LoopPartPage.class);
  }

  /** A page of the tenant's sessions, newest activity first. */
  public SessionList list(ListOptions options) {
    Objects.requireNonNull(options, "options must not be null");
    Query query = new Query();
    query.add("agent_id", options.agentId());
    query.add("active_since", options.activeSince() == null ? null : options.activeSince().toString());
    query.add("forked_from", options.forkedFrom());
    query.add("limit", options.limit());
    query.add("cursor", options.cursor());
    return Json.read(transport.send("GET", "/v1/sessions" + query, null).body(), SessionList.class);
  }

  /** Every session the options select, lazily over pages. */
  public Stream<SessionSummary> listAll(ListOptions options) {
    return Pages.stream(options, current -> {
      SessionList page = list(current);
      return new Pages.Page<>(page.sessions(), page.nextCursor() == null ? null : current.withCursor(page.nextCursor()));
    });
  }

  /** A new session that starts as a copy of the source's events up to its head. */
  public ForkResult fork(String sessionId, String newSessionId) {
    return fork(sessionId, newSessionId, null);
  }

  /** A new session that starts as a copy of the source's events 1..atSeq. */
  public ForkResult fork(String sessionId, String newSessionId, long atSeq) {
    if (atSeq < 1) {
      throw new IllegalArgumentException("atSeq must be at least 1, was " + atSeq);
    }
    return fork(sessionId, newSessionId, Long.valueOf(atSeq));
  }

  private ForkResult fork(String sessionId, String newSessionId, Long atSeq) {
    Ids.require(sessionId, "sessionId");
    ObjectNode request = Json.MAPPER.createObjectNode();
    request.put("new_session_id", Ids.require(newSessionId, "newSessionId"));
    if (atSeq != null) {
      request.put("at_seq", atSeq);
    }
    return Json.read(transport.send("POST", path(sessionId) + "/fork", Json.write(request)).body(), ForkResult.class);
  }

  /** Erases the session and everything it owns; its id is never used again. */
  public EraseResult erase(String sessionId) {
    Ids.require(sessionId, "sessionId");
    return Json.read(transport.send("DELETE", path(sessionId), null).body(), EraseResult.class);
  }

  // ---- verify ----

  /** One verify call: at most 10,000 records from {@code fromSeq}; {@code nextFromSeq} continues. */
  public VerifyResult verify(String sessionId, VerifyOptions options) {
    Ids.require(sessionId, "sessionId");
    Objects.requireNonNull(options, "options must not be null");
    Query query = new Query();
    query.add("from_seq", options.fromSeq());
    query.add("through_seq", options.throughSeq());
    if (options.receipt() != null) {
      if (!options.receipt().sessionId().equals(sessionId)) {
        throw new IllegalArgumentException("the receipt is of session " + options.receipt().sessionId() + ", not " + sessionId);
      }
      query.add("receipt_seq", options.receipt().seq());
      query.add("receipt_chain", options.receipt().chain());
    }
    return Json.read(transport.send("GET", path(sessionId) + "/verify" + query, null).body(), VerifyResult.class);
  }

  /** Verifies the whole session (as many calls as it takes). */
  public VerifyResult verify(String sessionId) {
    return verifyAll(sessionId, null);
  }

  /** Verifies the whole session and that the chain at the receipt's seq is the receipt's. */
  public VerifyResult verify(String sessionId, Receipt receipt) {
    Objects.requireNonNull(receipt, "receipt must not be null");
    return verifyAll(sessionId, receipt);
  }

  private VerifyResult verifyAll(String sessionId, Receipt receipt) {
    long from = 1;
    Boolean receiptOk = null;
    while (true) {
      VerifyOptions options = VerifyOptions.wholeSession().fromSeq(from);
      if (receipt != null) {
        options.receipt(receipt);
      }
      VerifyResult page = verify(sessionId, options);
      if (page.receiptOk() != null) {
        receiptOk = page.receiptOk();
      }
      if (!page.ok() || page.nextFromSeq() == null) {
        return new VerifyResult(sessionId, 1, page.throughSeq(), page.chain(), page.ok(), page.firstBadSeq(),
            page.problem(), page.unchainedThroughSeq(), null, receipt == null ? null : receipt.seq(), receiptOk);
      }
      from = page.nextFromSeq();
    }
  }

  // ---- producer and follower ----

  /** A batching producer for one session, with the default linger (50 ms). */
  public SessionProducer producer(String sessionId) {
    return producer(sessionId, ProducerOptions.defaults());
  }

  public SessionProducer producer(String sessionId, ProducerOptions options) {
    Ids.require(sessionId, "sessionId");
    return new BatchingProducer(sessionId, options, batch -> append(sessionId, batch), timers, senders);
  }

  /**
   * The session's events after {@code afterSeq}: catches up, then takes new ones as they are pushed
   * (the follow API's WebSocket; held reads, {@code wait=}, where the service offers no push or a
   * connection cannot be made). Survives a service that goes away for a while (it retries until
   * {@link FollowOptions#giveUpAfter()}) and resumes from the last seq it examined.
   */
  public EventFollower follow(String sessionId, long afterSeq) {
    return follow(sessionId, afterSeq, FollowOptions.defaults());
  }

  public EventFollower follow(String sessionId, long afterSeq, FollowOptions options) {
    Ids.require(sessionId, "sessionId");
    if (afterSeq < 0) {
      throw new IllegalArgumentException("afterSeq must be at least 0, was " + afterSeq);
    }
    Objects.requireNonNull(options, "options must not be null");
    if (!options.push()) {
      return Followers.follower(sessionId, afterSeq, options, this::readForFollower);
    }
    return Followers.follower(sessionId, afterSeq, options, this::readForFollower, this::followUrl, transport.http());
  }

  private URI followUrl(String sessionId) {
    return followSession(sessionId).url();
  }

  /**
   * POST /v1/sessions/{id}/follow: the follow API's WebSocket URL with a one-time ticket (what
   * {@link #follow} connects with). 404 {@code follow_unavailable} where the service pushes nothing.
   */
  public FollowTicket followSession(String sessionId) {
    Ids.require(sessionId, "sessionId");
    return Json.read(transport.send("POST", path(sessionId) + "/follow", new byte[0]).body(), FollowTicket.class);
  }

  /**
   * POST /v1/follow: a ticket to follow the tenant's list of sessions; its connection receives
   * {@code {"type":"sessions","sessions":[{"session_id","head_seq"}...]}} per stream batch.
   */
  public FollowTicket followSessions() {
    return Json.read(transport.send("POST", "/v1/follow", new byte[0]).body(), FollowTicket.class);
  }

  private EventsPage readForFollower(String sessionId, ReadOptions options, RetryPolicy policy) {
    Query query = new Query();
    query.add("after_seq", options.afterSeq());
    if (!options.types().isEmpty()) {
      query.add("types", String.join(",", options.types()));
    }
    query.add("limit", options.limit());
    query.add("wait", options.waitSeconds());
    Transport.Answer answer = transport.send("GET", path(sessionId) + "/events" + query, null,
        options.waitSeconds() == null ? Duration.ZERO : Duration.ofSeconds(options.waitSeconds()), policy);
    EventsPage page = Json.read(answer.body(), EventsPage.class);
    transport.observer().onEventsRead(sessionId, page.events().size());
    return page;
  }

  @Override
  public void close() {
    timers.shutdownNow();
    senders.shutdown();
  }

  // ---- helpers ----

  private static String path(String sessionId) {
    return "/v1/sessions/" + sessionId;
  }

  private static String segment(String value, String name) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + " must be a non-empty string");
    }
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void checkLimit(Integer limit) {
    if (limit != null && (limit < 1 || limit > 1000)) {
      throw new IllegalArgumentException("limit must be from 1 to 1000, was " + limit);
    }
  }

  /** A query string of the parameters that are set. */
  private static final class Query {
    private final StringJoiner joiner = new StringJoiner("&", "?", "").setEmptyValue("");

    void add(String name, Object value) {
      if (value != null) {
        joiner.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
      }
    }

    @Override
    public String toString() {
      return joiner.toString();
    }
  }

  /** Where the service is, who the caller is, and how patient to be. */
  public static final class Builder {
    private URI baseUrl;
    private String tenant;
    private Supplier<String> bearerToken;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(35);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private RequestObserver observer = new RequestObserver() {};

    /** The API's address: the local runner's (http://localhost:8080) or the stack's ApiUrl. */
    public Builder baseUrl(String baseUrl) {
      if (baseUrl == null || baseUrl.isBlank()) {
        throw new IllegalArgumentException("baseUrl must be an http or https URL");
      }
      URI uri = URI.create(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("baseUrl must be an http or https URL, was " + baseUrl);
      }
      this.baseUrl = uri;
      return this;
    }

    /** The tenant, sent as {@code X-Tenant-Id}: the local runner's way (on AWS the JWT names it). */
    public Builder tenant(String tenant) {
      if (tenant == null || tenant.isEmpty()) {
        throw new IllegalArgumentException("tenant must be a non-empty string");
      }
      this.tenant = tenant;
      return this;
    }

    /** A JWT for AWS, asked for on every attempt (so a renewed token is used). */
    public Builder bearerToken(Supplier<String> bearerToken) {
      this.bearerToken = Objects.requireNonNull(bearerToken, "bearerToken must not be null");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** The time one attempt may take (a waiting read gets its wait on top). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    public Builder retryPolicy(RetryPolicy policy) {
      this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy must not be null");
      return this;
    }

    public Builder observer(RequestObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer must not be null");
      return this;
    }

    public SessionlogClient build() {
      if (baseUrl == null) {
        throw new IllegalStateException("baseUrl is required");
      }
      return new SessionlogClient(this);
    }

    private static Duration positive(Duration duration, String name) {
      if (duration == null || duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be a positive duration");
      }
      return duration;
    }
  }
}
