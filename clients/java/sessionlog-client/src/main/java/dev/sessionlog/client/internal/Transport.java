package dev.sessionlog.client.internal;

import dev.sessionlog.client.RequestObserver;
import dev.sessionlog.client.RetryPolicy;
import dev.sessionlog.client.errors.SessionlogException;
import dev.sessionlog.client.errors.TransportException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Sends one API request with the retry policy: the same bytes on every attempt (an append's event
 * ids are in them), headers made afresh (a bearer token may have been renewed).
 */
public final class Transport {
  private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(30);

  private final HttpClient http;
  private final URI baseUrl;
  private final String tenant;
  private final Supplier<String> bearerToken;
  private final Duration requestTimeout;
  private final RetryPolicy retryPolicy;
  private final RequestObserver observer;

  public Transport(HttpClient http, URI baseUrl, String tenant, Supplier<String> bearerToken,
      Duration requestTimeout, RetryPolicy retryPolicy, RequestObserver observer) {
    this.http = http;
    this.baseUrl = baseUrl;
    this.tenant = tenant;
    this.bearerToken = bearerToken;
    this.requestTimeout = requestTimeout;
    this.retryPolicy = retryPolicy;
    this.observer = observer;
  }

  /** The HTTP client, for the follow API's WebSocket. */
  public HttpClient http() {
    return http;
  }

  public RequestObserver observer() {
    return observer;
  }

  /** The answer of a request that succeeded (2xx). */
  public record Answer(int status, byte[] body) {}

  public Answer send(String method, String pathAndQuery, byte[] body) {
    return send(method, pathAndQuery, body, Duration.ZERO, retryPolicy);
  }

  /** {@code extraTime} lengthens the timeout of a read that waits on the server. */
  public Answer send(String method, String pathAndQuery, byte[] body, Duration extraTime, RetryPolicy policy) {
    URI uri = baseUrl.resolve(pathAndQuery);
    int attempt = 0;
    while (true) {
      attempt++;
      HttpRequest request = build(method, uri, body, requestTimeout.plus(extraTime));
      SessionlogException failure;
      Duration retryAfter = null;
      try {
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
          observer.onRequest(method, uri, length(body), status, attempt);
          return new Answer(status, response.body());
        }
        retryAfter = retryAfter(response);
        failure = ErrorMapper.map(status, response.body(), retryAfter);
        if (!retryable(status) || attempt >= policy.maxAttempts()) {
          observer.onRequest(method, uri, length(body), status, attempt);
          throw failure;
        }
      } catch (IOException e) {
        failure = new TransportException("no answer from " + method + " " + uri + ": " + describe(e), e);
        if (attempt >= policy.maxAttempts()) {
          observer.onRequest(method, uri, length(body), 0, attempt);
          throw failure;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TransportException("interrupted while sending " + method + " " + uri, e);
      }
      sleep(wait(policy, attempt, retryAfter), failure);
    }
  }

  private HttpRequest build(String method, URI uri, byte[] body, Duration timeout) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    if (tenant != null) {
      builder.header("X-Tenant-Id", tenant);
    }
    if (bearerToken != null) {
      String token = bearerToken.get();
      if (token == null || token.isBlank()) {
        throw new IllegalStateException("the bearer token supplier gave no token");
      }
      builder.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      builder.header("Content-Type", "application/json");
      builder.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return builder.build();
  }

  private static boolean retryable(int status) {
    return status == 429 || status == 502 || status == 503 || status == 504;
  }

  private static Duration wait(RetryPolicy policy, int attempt, Duration retryAfter) {
    Duration backoff = policy.backoff(attempt);
    long jittered = backoff.toMillis() <= 0 ? 0 : ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2, backoff.toMillis() + 1);
    Duration wait = Duration.ofMillis(jittered);
    if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
      wait = retryAfter.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : retryAfter;
    }
    return wait;
  }

  private static void sleep(Duration wait, SessionlogException failure) {
    try {
      Thread.sleep(wait.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.addSuppressed(e);
      throw failure;
    }
  }

  private static Duration retryAfter(HttpResponse<?> response) {
    Optional<String> header = response.headers().firstValue("Retry-After");
    if (header.isEmpty()) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(header.get().trim()));
    } catch (NumberFormatException e) {
      return null; // an HTTP date: the backoff decides
    }
  }

  private static int length(byte[] body) {
    return body == null ? 0 : body.length;
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }
}
