package dev.sessionlog.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.client.EventRecord;
import dev.sessionlog.client.EventsPage;
import dev.sessionlog.client.FollowOptions;
import dev.sessionlog.client.ReadOptions;
import dev.sessionlog.client.errors.SessionlogException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.function.Function;

/**
 * Follows by push, as openapi.yaml's follow route describes: a ticket, the WebSocket, a catch-up over
 * HTTP from the last seq examined to the head, then the pushed records, each seq once and in order
 * (a gap, an {@code appended} notice or an erasure is read over HTTP; an erased session ends the
 * follower with the read's 404). A closed connection is replaced by a new one; where the service
 * pushes nothing, or a connection cannot be made, it follows with held reads ({@code wait=}), trying
 * to connect again a minute later.
 */
final class PushFollower extends BufferedFollower {

  /** API Gateway closes a connection idle for 10 minutes. */
  static final Duration KEEP_ALIVE = Duration.ofMinutes(5);
  static final Duration HELD_BEFORE_RETRY = Duration.ofMinutes(1);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final FollowOptions options;
  private final Followers.Reader reader;
  private final Function<String, URI> tickets;
  private final HttpClient http;
  /** The last seq examined (handed out, buffered, or passed over by the type filter). */
  private long position;
  private volatile boolean closed;
  private FollowSocket socket;
  private boolean pushUnavailable;
  private long heldUntil;

  PushFollower(String sessionId, long afterSeq, FollowOptions options, Followers.Reader reader, Function<String, URI> tickets,
      HttpClient http) {
    super(sessionId, afterSeq);
    this.options = options;
    this.reader = reader;
    this.tickets = tickets;
    this.http = http;
    this.position = afterSeq;
  }

  @Override
  public synchronized boolean hasNext() {
    try {
      while (buffer.isEmpty()) {
        if (closed) {
          return false;
        }
        if (pushUnavailable || System.nanoTime() < heldUntil) {
          if (!heldRead()) {
            return false;
          }
        } else if (socket == null || socket.isDone()) {
          if (connect()) {
            catchUp();
          }
        } else {
          JsonNode message = socket.poll(POLL);
          if (message == null) {
            socket.keepAliveIfQuiet(KEEP_ALIVE);
          } else {
            take(message);
          }
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      return false;
    }
  }

  private boolean connect() {
    if (socket != null) {
      socket.close();
      socket = null;
    }
    URI url;
    try {
      url = tickets.apply(sessionId);
    } catch (SessionlogException e) {
      if (e.status() == 404 && !"follow_unavailable".equals(e.code()) && !"route_not_found".equals(e.code())) {
        throw e; // the session is erased: as a read would say
      }
      if (e.status() == 0 || e.status() >= 500 || e.status() == 429) { // no answer, or not now: try again later
        heldUntil = System.nanoTime() + HELD_BEFORE_RETRY.toNanos();
        return false;
      }
      url = null;
    }
    if (url == null) {
      pushUnavailable = true; // this service pushes nothing: held reads from now on
      return false;
    }
    try {
      socket = FollowSocket.open(http, url, CONNECT_TIMEOUT);
      return true;
    } catch (IllegalStateException refusedOrUnreachable) {
      heldUntil = System.nanoTime() + HELD_BEFORE_RETRY.toNanos();
      return false;
    }
  }

  private void take(JsonNode message) {
    switch (message.path("type").asText()) {
      case "events" -> {
        for (JsonNode node : message.path("events")) {
          long seq = node.path("seq").asLong();
          if (seq == position + 1) {
            position = seq;
            EventRecord record = Json.MAPPER.convertValue(node, EventRecord.class);
            if (wanted(record)) {
              buffer.addLast(record);
            }
          } else if (seq > position + 1) {
            catchUp(); // a push was lost: read the gap (and this record) over HTTP
          }
        }
      }
      case "appended" -> {
        if (message.path("through_seq").asLong() > position) {
          catchUp();
        }
      }
      case "erased" -> catchUp(); // the read answers 404: the follower ends as a held read's would
      default -> {
        // a message type this client does not know: the protocol may grow
      }
    }
  }

  private boolean wanted(EventRecord record) {
    if (options.types().isEmpty()) {
      return true;
    }
    JsonNode type = record.event() == null ? null : record.event().get("type");
    return type != null && options.types().contains(type.asText());
  }

  /** Reads from the last seq examined up to the head. */
  private void catchUp() {
    while (!closed) {
      ReadOptions read = ReadOptions.after(position).limit(options.pageSize());
      if (!options.types().isEmpty()) {
        read.types(options.types());
      }
      EventsPage page = Followers.readPatiently(reader, sessionId, read, options, () -> closed);
      if (page == null) {
        return;
      }
      for (EventRecord record : page.events()) {
        if (record.seq() > position) {
          buffer.addLast(record);
          position = record.seq();
        }
      }
      if (page.nextAfterSeq() == null) {
        position = Math.max(position, page.headSeq());
        return;
      }
      position = Math.max(position, page.nextAfterSeq());
    }
  }

  /** One held read; false once closed. */
  private boolean heldRead() {
    ReadOptions read = ReadOptions.after(position).limit(options.pageSize()).waitSeconds(options.waitSeconds());
    if (!options.types().isEmpty()) {
      read.types(options.types());
    }
    EventsPage page = Followers.readPatiently(reader, sessionId, read, options, () -> closed);
    if (page == null) {
      return false;
    }
    for (EventRecord record : page.events()) {
      if (record.seq() > position) {
        buffer.addLast(record);
        position = record.seq();
      }
    }
    if (page.nextAfterSeq() != null) {
      position = Math.max(position, page.nextAfterSeq());
    }
    return true;
  }

  @Override
  public void close() {
    closed = true;
    FollowSocket open = socket;
    if (open != null) {
      open.close();
    }
  }
}
