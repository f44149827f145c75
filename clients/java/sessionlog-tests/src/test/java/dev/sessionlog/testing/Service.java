package dev.sessionlog.testing;

import dev.sessionlog.client.RequestObserver;
import dev.sessionlog.client.SessionlogClient;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The service the tests talk to: the one at {@code SESSIONLOG_URL} when that is set, otherwise a
 * local runner in memory, started once per test JVM (the first class that needs it starts it; JUnit
 * closes it when the whole run ends). Each test takes a tenant of its own, so that its lists hold
 * only its own sessions.
 */
public final class Service implements BeforeAllCallback {
  private static volatile String baseUrl;

  @Override
  public void beforeAll(ExtensionContext context) {
    baseUrl();
    context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(RunnerResource.class, key -> new RunnerResource(), RunnerResource.class);
  }

  /** The runner's lifetime is the JUnit run's: closed after the last test class. */
  private static final class RunnerResource implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      synchronized (Service.class) {
        if (runner != null) {
          runner.stop();
          runner = null;
        }
      }
    }
  }

  private static LocalRunner runner;

  public static synchronized String baseUrl() {
    if (baseUrl == null) {
      String external = System.getenv("SESSIONLOG_URL");
      if (external != null && !external.isBlank()) {
        baseUrl = external;
      } else {
        runner = LocalRunner.inMemory(Path.of("target", "local-runner.log").toAbsolutePath());
        runner.start();
        LocalRunner started = runner;
        Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "local-runner-stop"));
        baseUrl = runner.baseUrl();
      }
    }
    return baseUrl;
  }

  /** A tenant no other test uses. */
  public static String freshTenant(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public static SessionlogClient client(String tenant) {
    return SessionlogClient.builder().baseUrl(baseUrl()).tenant(tenant).build();
  }

  public static SessionlogClient client(String tenant, RequestObserver observer) {
    return SessionlogClient.builder().baseUrl(baseUrl()).tenant(tenant).observer(observer).build();
  }
}
