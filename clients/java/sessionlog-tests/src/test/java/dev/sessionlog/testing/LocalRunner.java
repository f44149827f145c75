package dev.sessionlog.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The service's local runner, started exactly as its README says ({@code ./mvnw -B -Plocal} from the
 * repository root, with {@code -o} when that works offline), on free ports: in memory, or with a
 * data directory that survives a restart. {@link #stop()} ends the whole process tree (moto exits
 * when its standard input closes).
 */
public final class LocalRunner implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofMinutes(8);
  private static final String READY = "sessionlog is running";

  private final Path repositoryRoot;
  private final Path dataDir; // null: in memory
  private final Path logFile;
  private final int apiPort;
  private final int dynamoPort;
  private final int s3Port;
  private final int followPort;
  private Process process;
  private boolean offline = true;

  private LocalRunner(Path dataDir, Path logFile, int apiPort) {
    this.repositoryRoot = repositoryRoot();
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.apiPort = apiPort;
    this.dynamoPort = freePort();
    this.s3Port = freePort();
    this.followPort = freePort();
  }

  /** A runner that keeps nothing between runs. */
  public static LocalRunner inMemory(Path logFile) {
    return new LocalRunner(null, logFile, freePort());
  }

  /** A runner whose data (moto's journal, S3Proxy's files) lives in {@code dataDir}, kept across restarts. */
  public static LocalRunner withDataDir(Path dataDir, Path logFile) {
    return new LocalRunner(dataDir, logFile, freePort());
  }

  public String baseUrl() {
    return "http://localhost:" + apiPort;
  }

  public synchronized void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    StartResult result = startOnce(offline);
    if (!result.ready && offline && result.output.contains("offline")) {
      offline = false; // the local repository lacks something: let Maven fetch it
      result = startOnce(false);
    }
    if (!result.ready) {
      stop();
      throw new IllegalStateException("the local runner did not start (log: " + logFile + "):\n" + result.output);
    }
  }

  private record StartResult(boolean ready, String output) {}

  private StartResult startOnce(boolean offlineMode) {
    List<String> command = new ArrayList<>(List.of(repositoryRoot.resolve("mvnw").toString(), "-B"));
    if (offlineMode) {
      command.add("-o");
    }
    command.add("-Plocal");
    ProcessBuilder builder = new ProcessBuilder(command).directory(repositoryRoot.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("SESSIONLOG_API_PORT", Integer.toString(apiPort));
    env.put("SESSIONLOG_DYNAMODB_PORT", Integer.toString(dynamoPort));
    env.put("SESSIONLOG_S3_PORT", Integer.toString(s3Port));
    env.put("SESSIONLOG_FOLLOW_PORT", Integer.toString(followPort));
    if (dataDir == null) {
      env.put("SESSIONLOG_IN_MEMORY", "true");
    } else {
      env.put("SESSIONLOG_IN_MEMORY", "false");
      env.put("SESSIONLOG_DATA_DIR", dataDir.toString());
    }
    Deque<String> tail = new ArrayDeque<>();
    CountDownLatch ready = new CountDownLatch(1);
    try {
      Files.createDirectories(logFile.getParent());
      process = builder.start();
      process.getOutputStream().close();
      PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true);
      Process started = process;
      Thread pump = new Thread(() -> {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = reader.readLine()) != null) {
            log.println(line);
            synchronized (tail) {
              tail.addLast(line);
              if (tail.size() > 60) {
                tail.removeFirst();
              }
            }
            if (line.contains(READY)) {
              ready.countDown();
            }
          }
        } catch (IOException e) {
          // the process ended
        } finally {
          log.close();
          ready.countDown();
        }
      }, "local-runner-output");
      pump.setDaemon(true);
      pump.start();
      ready.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    boolean up = process.isAlive() && ready.getCount() == 0 && tailContains(tail, READY);
    synchronized (tail) {
      return new StartResult(up, String.join("\n", tail));
    }
  }

  private static boolean tailContains(Deque<String> tail, String text) {
    synchronized (tail) {
      return tail.stream().anyMatch(line -> line.contains(text));
    }
  }

  /** Ends the runner and everything it started, and waits until they are gone. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle child : tree) {
      if (child.isAlive()) {
        child.destroy();
      }
    }
    for (ProcessHandle child : tree) {
      try {
        child.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
  }

  /** The repository root: the nearest directory above this one with the service's mvnw and template.yaml. */
  public static Path repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.isExecutable(candidate.resolve("mvnw")) && Files.exists(candidate.resolve("template.yaml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("no repository root (mvnw and template.yaml) above " + dir);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
