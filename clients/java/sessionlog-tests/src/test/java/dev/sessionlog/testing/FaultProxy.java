package dev.sessionlog.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A stub HTTP server in front of the real service, only to inject what a network does: a request
 * that reaches the service but whose answer is lost, a connection dropped before the service sees
 * it, a 503 or 429 of its own. Every other request is forwarded as it came. It speaks HTTP/1.1 with
 * Content-Length bodies, which is what the client sends.
 */
public final class FaultProxy implements AutoCloseable {
  /** What to do with a request. */
  public enum Action {
    FORWARD,
    /** Forward it (the service stores it), then close the connection without an answer. */
    LOSE_ANSWER,
    /** Close the connection without forwarding. */
    DROP,
    /** Answer 503 unavailable with Retry-After: 1, without forwarding. */
    UNAVAILABLE,
    /** Answer 429 throttled with Retry-After: 1, without forwarding. */
    THROTTLED
  }

  /** A recorded request: method, path and query, and what was done with it. */
  public record Seen(String method, String target, Action action) {}

  private record Rule(Predicate<String> matches, Action action, AtomicInteger remaining) {}

  private final URI upstream;
  private final ServerSocket server;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "fault-proxy");
    thread.setDaemon(true);
    return thread;
  });
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ConcurrentLinkedQueue<Rule> rules = new ConcurrentLinkedQueue<>();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean closed;

  public FaultProxy(String upstream) throws IOException {
    this.upstream = URI.create(upstream);
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    workers.execute(this::acceptLoop);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** The next {@code times} requests whose "METHOD /path?query" matches get {@code action}. */
  public FaultProxy inject(Predicate<String> matches, Action action, int times) {
    rules.add(new Rule(matches, action, new AtomicInteger(times)));
    return this;
  }

  public List<Seen> seen() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  public long count(Predicate<Seen> which) {
    return seen().stream().filter(which).count();
  }

  private Action actionFor(String request) {
    for (Rule rule : rules) {
      if (rule.matches.test(request) && rule.remaining.getAndDecrement() > 0) {
        return rule.action;
      }
    }
    return Action.FORWARD;
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        workers.execute(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      while (!closed) {
        String requestLine = line(in);
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
          int colon = header.indexOf(':');
          headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        byte[] body = in.readNBytes(length);
        String[] parts = requestLine.split(" ");
        String method = parts[0];
        String target = parts[1];
        Action action = actionFor(method + " " + target);
        seen.add(new Seen(method, target, action));
        switch (action) {
          case DROP -> {
            return;
          }
          case UNAVAILABLE -> respond(out, 503, "1",
              "{\"error\":{\"code\":\"unavailable\",\"message\":\"injected by the test's proxy\"}}".getBytes(StandardCharsets.UTF_8));
          case THROTTLED -> respond(out, 429, "1",
              "{\"error\":{\"code\":\"throttled\",\"message\":\"injected by the test's proxy\"}}".getBytes(StandardCharsets.UTF_8));
          case FORWARD, LOSE_ANSWER -> {
            HttpResponse<byte[]> answer = forward(method, target, headers, body);
            if (action == Action.LOSE_ANSWER) {
              return; // the service did the work; the client never hears of it
            }
            respond(out, answer.statusCode(), answer.headers().firstValue("Retry-After").orElse(null), answer.body());
          }
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away
    }
  }

  private HttpResponse<byte[]> forward(String method, String target, Map<String, String> headers, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve(target)).timeout(Duration.ofSeconds(60))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String name : List.of("x-tenant-id", "authorization", "content-type", "accept")) {
      if (headers.containsKey(name)) {
        request.header(name, headers.get(name));
      }
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void respond(OutputStream out, int status, String retryAfter, byte[] body) throws IOException {
    StringBuilder head = new StringBuilder("HTTP/1.1 " + status + " X\r\n")
        .append("Content-Type: application/json\r\n")
        .append("Content-Length: ").append(body.length).append("\r\n");
    if (retryAfter != null) {
      head.append("Retry-After: ").append(retryAfter).append("\r\n");
    }
    head.append("\r\n");
    out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = buffer.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      buffer.write(b);
    }
    return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    workers.shutdownNow();
  }
}
