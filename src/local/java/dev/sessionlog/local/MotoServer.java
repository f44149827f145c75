package dev.sessionlog.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DynamoDB and DynamoDB Streams on this machine: moto (Apache-2.0) in server mode, through the
 * project's own launcher ({@code moto_launcher.py} beside this class), which serves one request at a
 * time (DynamoDB's atomicity), rolls a cancelled transaction back by key rather than by copying
 * tables, keeps a journal of writes when asked to, and exits when its standard input closes. That
 * pipe is held by this JVM only, so however the JVM ends (Ctrl-C, a failed test run, kill -9) no
 * moto process outlives it.
 */
public final class MotoServer implements AutoCloseable {

    /** What {@code pip install} must provide; the launcher is written against this version of moto. */
    public static final String MOTO_REQUIREMENT = "moto[server]==5.2.1";
    private static final Pattern READY = Pattern.compile("sessionlog-moto listening on ([^:\\s]+):(\\d+)");
    private static final long START_TIMEOUT_SECONDS = 60;

    /**
     * @param port        the port to listen on (0: any free port)
     * @param journal     the file that keeps DynamoDB's writes between runs; null: in memory only
     * @param extraArgs   test-only launcher flags ({@code --no-serialize}, {@code --force-condition-race})
     */
    public record Options(int port, Path journal, List<String> extraArgs) {
        public static Options inMemory() {
            return new Options(0, null, List.of());
        }

        public Options withArgs(String... args) {
            return new Options(port, journal, List.of(args));
        }
    }

    private final Process process;
    private final URI endpoint;
    private final String banner;

    private MotoServer(Process process, URI endpoint, String banner) {
        this.process = process;
        this.endpoint = endpoint;
        this.banner = banner;
    }

    /** Starts the launcher and waits until it accepts requests. */
    public static MotoServer start(Options options) {
        String python = PythonFinder.python();
        Path launcher = extractLauncher();
        List<String> command = new ArrayList<>(List.of(python, launcher.toString(), "--host", "127.0.0.1",
                "--port", Integer.toString(options.port())));
        if (options.journal() != null) {
            command.addAll(List.of("--journal", options.journal().toAbsolutePath().toString()));
        }
        command.addAll(options.extraArgs());
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + python + ": " + e.getMessage(), e);
        }
        // stdin stays open and unwritten: its end is the launcher's signal to exit.
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> said = new ArrayList<>();
        String ready = awaitReady(process, out, said);
        if (ready == null) {
            process.destroyForcibly();
            throw new IllegalStateException("the moto launcher did not start (" + String.join(" ", command) + "):\n  "
                    + String.join("\n  ", said) + "\n" + PythonFinder.installHint());
        }
        Matcher m = READY.matcher(ready);
        m.find();
        forward(out, "sessionlog-moto-output");
        return new MotoServer(process, URI.create("http://127.0.0.1:" + m.group(2)), ready);
    }

    private static String awaitReady(Process process, BufferedReader out, List<String> said) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        try {
            String line;
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (READY.matcher(line).find()) {
                    return line;
                }
                said.add(line);
            }
        } catch (IOException e) {
            said.add(e.toString());
        }
        return null;
    }

    /** The launcher's own messages (warnings, tracebacks) go to this JVM's stderr; nothing is lost. */
    private static void forward(BufferedReader out, String threadName) {
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    System.err.println("moto: " + line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
        }, threadName);
        t.setDaemon(true);
        t.start();
    }

    private static Path extractLauncher() {
        try (InputStream in = MotoServer.class.getResourceAsStream("moto_launcher.py")) {
            if (in == null) {
                throw new IllegalStateException("moto_launcher.py is not on the class path beside " + MotoServer.class.getName());
            }
            Path file = Files.createTempFile("sessionlog-moto-", ".py");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /**
     * Lets DynamoDB's Time to Live run as of {@code now}: every item whose TTL attribute is at or
     * before it is deleted, with the stream record AWS writes for a TTL deletion (REMOVE, the old
     * image, the DynamoDB service as userIdentity). moto has no TTL of its own; the launcher
     * emulates it. Returns how many items were deleted.
     */
    public int expireItems(java.time.Instant now) {
        return expireItems(endpoint, now);
    }

    /** {@link #expireItems(java.time.Instant)} of the launcher at {@code endpoint} (a test that attached to it). */
    public static int expireItems(URI endpoint, java.time.Instant now) {
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(endpoint.resolve("/sessionlog/ttl-sweep?now=" + now.getEpochSecond()))
                            .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the TTL sweep answered " + r.statusCode() + ": " + r.body());
            }
            java.util.regex.Matcher m = Pattern.compile("\"deleted\":\\s*(\\d+)").matcher(r.body());
            if (!m.find()) {
                throw new IllegalStateException("the TTL sweep answered " + r.body());
            }
            return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the TTL sweep ran", e);
        }
    }

    /** The launcher's ready line: its address, moto's version, how many journaled writes it replayed. */
    public String banner() {
        return banner;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Closes the launcher's stdin (it exits by itself), then waits; forcibly after 10 s. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
