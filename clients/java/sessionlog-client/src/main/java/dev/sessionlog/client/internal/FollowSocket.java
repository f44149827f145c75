package dev.sessionlog.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A connection to the follow API: the messages it receives, queued in order; a keep-alive message
 * when the connection has been quiet (API Gateway closes one idle for 10 minutes).
 */
final class FollowSocket implements WebSocket.Listener {

  private static final String KEEP_ALIVE = "{\"action\":\"ping\"}";

  private final BlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private volatile boolean closed;
  private volatile long lastSent = System.nanoTime();
  private WebSocket socket;

  private FollowSocket() {}

  /**
   * Connects to the URL the follow route gave (it holds the one-time ticket).
   *
   * @throws IllegalStateException when the connection is refused or cannot be made
   */
  static FollowSocket open(HttpClient http, URI url, Duration timeout) {
    FollowSocket listener = new FollowSocket();
    try {
      listener.socket = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(url, listener)
          .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      return listener;
    } catch (ExecutionException e) {
      // the URL holds the ticket: name the host only
      throw new IllegalStateException("the follow connection to " + url.getHost() + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the follow connection to " + url.getHost() + " timed out", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to follow", e);
    }
  }

  /** The next message, or null when none came within {@code wait}. */
  JsonNode poll(Duration wait) throws InterruptedException {
    return inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closed by the server (or broken), with every message it received taken. */
  boolean isDone() {
    return closed && inbox.isEmpty();
  }

  void keepAliveIfQuiet(Duration every) {
    if (!closed && System.nanoTime() - lastSent > every.toNanos()) {
      lastSent = System.nanoTime();
      socket.sendText(KEEP_ALIVE, true);
    }
  }

  void close() {
    closed = true;
    if (socket != null && !socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      inbox.add(Json.tree(partial.toString().getBytes(StandardCharsets.UTF_8)));
      partial.setLength(0);
    }
    webSocket.request(1);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed = true;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed = true;
  }
}
