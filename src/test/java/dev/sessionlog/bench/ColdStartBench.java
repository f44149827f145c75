package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.TemplateTables;
import dev.sessionlog.log.StreamKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cold start as this machine can show it: the deployment package (target/function.zip, unzipped as
 * Lambda does) in a child JVM, run the way the managed Java runtime runs template.yaml's Handler
 * ({@link LambdaRuntimeMain} stands in for the runtime interface client), served by a small Lambda
 * Runtime API emulator in this JVM, with moto (DynamoDB, a Python child process started through the
 * project's launcher) and S3Proxy (in this JVM) behind the Quarkus clients' endpoint overrides.
 * Measured from just before the process is started to the first response the emulator receives,
 * and the second invocation after it. No SnapStart: that exists
 * only on AWS.
 *
 * <p>Why not {@code java -jar}: in JVM mode Quarkus's Lambda extensions start their own Runtime API
 * poll loop only in dev and test mode (and in native builds); a packaged JVM application expects
 * Lambda's Java runtime to call FunqyStreamHandler, and {@code java -jar} just starts and waits.
 */
final class ColdStartBench {

    /** JAVA_TOOL_OPTIONS of template.yaml's functions. */
    static final String TEMPLATE_JAVA_TOOL_OPTIONS = "-XX:+TieredCompilation -XX:TieredStopAtLevel=1";
    /** template.yaml's Globals.Function.Handler. */
    static final String HANDLER = "io.quarkus.funqy.lambda.FunqyStreamHandler::handleRequest";
    private static final String TENANT = "acme"; // the tenant_id claim of the API Gateway fixtures
    private static final String QUERY_SESSION = "cold-query";
    private static final long RUN_TIMEOUT_MS = 90_000;

    private final Benchmarks.Options options;
    private final List<Process> children = new CopyOnWriteArrayList<>();
    private EmbeddedAws aws;
    private RuntimeApi api;
    private Path logs;
    private int runCounter;

    ColdStartBench(Benchmarks.Options options) {
        this.options = options;
    }

    /** How the child is started. */
    enum Variant {
        TEMPLATE("template's JAVA_TOOL_OPTIONS (C1 only)", TEMPLATE_JAVA_TOOL_OPTIONS, false),
        DEFAULT_FLAGS("JVM defaults", null, false),
        PRIMED("C1 only + prime() at init", TEMPLATE_JAVA_TOOL_OPTIONS, true);

        final String label;
        final String javaToolOptions;
        final boolean prime;

        Variant(String label, String javaToolOptions, boolean prime) {
            this.label = label;
            this.javaToolOptions = javaToolOptions;
            this.prime = prime;
        }
    }

    /** One JVM start: when the emulator saw what, in ms from just before the process started. */
    record Sample(String function, String flags, double firstNextMs, double firstResponseMs, double secondNextMs,
                  double secondResponseMs, Double quarkusStartedMs, Double primeMs, String failure) {
        double firstInvocationMs() {
            return firstResponseMs - firstNextMs;
        }

        double secondInvocationMs() {
            return secondResponseMs - secondNextMs;
        }
    }

    /** What the child runs: the package's classpath, and where it came from. */
    private record App(Path source, String classpath, Path workingDirectory) {
    }

    String run() throws Exception {
        logs = Files.createTempDirectory("sessionlog-coldstart");
        App app = prepareApp(logs);
        if (app == null) {
            Benchmarks.progress("coldstart: no deployment package; build it with ./mvnw -B package -DskipTests");
            return """
                    ## Cold start

                    Not measured: no deployment package. Build it first with `./mvnw -B package -DskipTests` (it \
                    makes target/function.zip, the package template.yaml deploys, and target/*-runner.jar with \
                    target/lib), or name one with -Dbench.jar=PATH (a .zip or a runner .jar).

                    """;
        }
        Benchmarks.progress("coldstart: %s (built %s); starting moto, S3Proxy and the Runtime API emulator",
                app.source(), Files.getLastModifiedTime(app.source()).toInstant().toString().substring(0, 19) + "Z");
        Thread hook = new Thread(this::killAll, "coldstart-kill-children");
        Runtime.getRuntime().addShutdownHook(hook);
        aws = EmbeddedAws.start(EmbeddedAws.Options.inMemory());
        try {
            Map<String, String> tables = new TemplateTables(CloudFormationTemplate.load()).createAll(aws.dynamo());
            EmbeddedAws.createBucket(aws.s3(), BenchStack.BUCKET);
            seedQuerySession(tables);
            api = RuntimeApi.start();
            String java = ProcessHandle.current().info().command().orElse("java");
            double jvmAlone = jvmAlone(java);

            int runs = options.coldstartRuns();
            List<Sample> samples = new ArrayList<>();
            // Round-robin over the functions, so that drift on the shared machine hits them alike.
            for (int i = 0; i < runs; i++) {
                for (String function : List.of("ping", "append", "query")) {
                    samples.add(startOnce(java, app, function, Variant.TEMPLATE, tables));
                }
            }
            if (!options.quick()) {
                for (int i = 0; i < Math.min(3, runs); i++) {
                    samples.add(startOnce(java, app, "append", Variant.DEFAULT_FLAGS, tables));
                    samples.add(startOnce(java, app, "append", Variant.PRIMED, tables));
                    samples.add(startOnce(java, app, "query", Variant.PRIMED, tables));
                }
            }
            return report(app, java, jvmAlone, samples);
        } finally {
            killAll();
            if (api != null) {
                api.stop();
            }
            aws.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            deleteTree(logs.resolve("task"));
            deleteTree(logs.resolve("runtime"));
            try (var left = Files.list(logs)) {
                if (left.findAny().isEmpty()) {
                    Files.delete(logs);
                } else {
                    Benchmarks.progress("coldstart: logs of failed runs kept in %s", logs);
                }
            }
        }
    }

    /**
     * The deployment package, ready to run: target/function.zip unzipped (as Lambda puts it in
     * /var/task, classpath task:task/lib/*), else the runner jar with target/lib; plus this
     * benchmark's stand-in runtime client. Null when there is no package.
     */
    private App prepareApp(Path work) throws IOException {
        Path source = options.jar();
        if (source == null) {
            Path zip = Path.of("target/function.zip");
            source = Files.isRegularFile(zip) ? zip : runnerJar();
        }
        if (source == null || !Files.isRegularFile(source)) {
            return null;
        }
        Path runtime = work.resolve("runtime");
        copyRuntimeClient(runtime);
        if (source.toString().endsWith(".zip")) {
            Path task = work.resolve("task");
            unzip(source, task);
            return new App(source, runtime + ":" + task + ":" + task.resolve("lib") + "/*", task);
        }
        Path jar = source.toAbsolutePath();
        return new App(source, runtime + ":" + jar + ":" + jar.getParent().resolve("lib") + "/*", jar.getParent());
    }

    /** The runner jar that target/quarkus-artifact.properties names; null: none. */
    private static Path runnerJar() throws IOException {
        Path artifact = Path.of("target/quarkus-artifact.properties");
        if (!Files.isRegularFile(artifact)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(artifact)) {
            p.load(in);
        }
        String path = p.getProperty("path");
        return path != null && path.endsWith(".jar") && Files.isRegularFile(Path.of("target", path)) ? Path.of("target", path) : null;
    }

    private static void unzip(Path zip, Path into) throws IOException {
        Path root = into.toAbsolutePath().normalize();
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(zip))) {
            for (java.util.zip.ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("zip entry outside the target: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** LambdaRuntimeMain's class files, from where this benchmark's classes are, into dir. */
    private static void copyRuntimeClient(Path dir) throws IOException {
        Path pkg = dir.resolve("dev/sessionlog/bench");
        Files.createDirectories(pkg);
        try {
            Path classes = Path.of(LambdaRuntimeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (var files = Files.list(classes.resolve("dev/sessionlog/bench"))) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith("LambdaRuntimeMain")).toList()) {
                    Files.copy(f, pkg.resolve(f.getFileName().toString()));
                }
            }
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private void seedQuerySession(Map<String, String> tables) {
        Components c = new Components(Settings.local(tables.get("EventsTable"), tables.get("SessionsTable"), BenchStack.BUCKET),
                aws.dynamo(), aws.s3());
        List<NewEvent> events = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            ObjectNode e = Json.MAPPER.createObjectNode().put("type", "Note").put("n", i);
            events.add(new NewEvent("q-" + i, null, e, Json.bytes(e)));
        }
        c.eventLog().append(new StreamKey(TENANT, QUERY_SESSION), new AppendRequest(events, OptionalLong.empty()));
    }

    /** A bare JVM's start and exit ({@code java -version}), the floor under every cold start here. */
    private double jvmAlone(String java) throws Exception {
        double[] ms = new double[3];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            children.add(p);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            ms[i] = (System.nanoTime() - t0) / 1e6;
            children.remove(p);
        }
        return FoldBench.median(ms);
    }

    // ---- one start ----------------------------------------------------------------------------------

    private Sample startOnce(String java, App app, String function, Variant variant, Map<String, String> tables)
            throws Exception {
        int n = ++runCounter;
        String flags = variant.label;
        List<String> events = events(function, n);
        RuntimeApi.Run run = api.begin(events);
        Path log = logs.resolve(function + "-" + n + ".log");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", app.classpath(), LambdaRuntimeMain.class.getName());
        pb.directory(app.workingDirectory().toFile());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment(function, variant, tables));
        long t0 = System.nanoTime();
        Process p = pb.start();
        children.add(p);
        String failure = null;
        try {
            if (!run.await(events.size(), RUN_TIMEOUT_MS)) {
                failure = run.initError != null ? "init error: " + run.initError
                        : !p.isAlive() ? "exited with " + p.exitValue() : "no answer within " + RUN_TIMEOUT_MS / 1000 + " s";
            } else {
                failure = check(function, run.answers);
            }
        } finally {
            stop(p);
            children.remove(p);
        }
        Double started = quarkusStarted(log);
        Double primeMs = null;
        if (variant.prime && failure == null) {
            Matcher pm = PRIMED.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (!pm.find() || !"true".equals(pm.group(1))) {
                failure = "prime() did not run or its DynamoDB call failed";
            } else {
                primeMs = Double.parseDouble(pm.group(2));
            }
        }
        if (failure != null) {
            Benchmarks.progress("coldstart: %s run %d FAILED: %s; log %s:%n%s", function, n, failure, log, tail(log));
        }
        Sample s = new Sample(function, flags, ms(run.nextAt, 0, t0), ms(run.answerAt, 0, t0), ms(run.nextAt, 1, t0),
                ms(run.answerAt, 1, t0), started, primeMs, failure);
        Benchmarks.progress("coldstart: %-6s %-40s first response %6.0f ms (init done %5.0f ms, Quarkus 'started in' %s), "
                + "second invocation %4.0f ms", function, flags, s.firstResponseMs(), s.firstNextMs(),
                started == null ? "n/a" : String.format(Locale.ROOT, "%.0f ms", started), s.secondInvocationMs());
        if (failure == null) {
            Files.deleteIfExists(log);
        }
        return s;
    }

    private static double ms(List<Long> times, int i, long t0) {
        return times.size() > i ? (times.get(i) - t0) / 1e6 : Double.NaN;
    }

    private Map<String, String> environment(String function, Variant variant, Map<String, String> tables) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LANG", "C.UTF-8");
        env.put("TZ", "UTC");
        // What Lambda sets for a function.
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + api.port());
        env.put("_HANDLER", HANDLER);
        env.put("AWS_LAMBDA_FUNCTION_NAME", "sessionlog-" + function);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_REGION", EmbeddedAws.REGION.id());
        env.put("AWS_DEFAULT_REGION", EmbeddedAws.REGION.id());
        if (variant.javaToolOptions != null) {
            env.put("JAVA_TOOL_OPTIONS", variant.javaToolOptions);
        }
        if (variant.prime) {
            env.put("BENCH_PRIME_AT_INIT", "true");
        }
        // What template.yaml sets.
        env.put("QUARKUS_FUNQY_EXPORT", function);
        env.put("EVENTS_TABLE", tables.get("EventsTable"));
        env.put("SESSIONS_TABLE", tables.get("SessionsTable"));
        env.put("ARCHIVE_BUCKET", BenchStack.BUCKET);
        env.put("ARCHIVE_PREFIX", "");
        env.put("CHECKPOINT_KEY", "bench-checkpoint-key-not-a-secret"); // template.yaml resolves it from Secrets Manager
        // Where DynamoDB and S3 are on this machine.
        for (String service : List.of("DYNAMODB", "S3")) {
            String endpoint = service.equals("S3") ? aws.s3Endpoint().toString() : aws.dynamoEndpoint().toString();
            env.put("QUARKUS_" + service + "_ENDPOINT_OVERRIDE", endpoint);
            env.put("QUARKUS_" + service + "_AWS_REGION", EmbeddedAws.REGION.id());
            env.put("QUARKUS_" + service + "_AWS_CREDENTIALS_TYPE", "static");
            env.put("QUARKUS_" + service + "_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID", EmbeddedAws.ACCESS_KEY);
            env.put("QUARKUS_" + service + "_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY", EmbeddedAws.SECRET_KEY);
        }
        env.put("QUARKUS_S3_PATH_STYLE_ACCESS", "true");
        return env;
    }

    /** The two events of a run: ping {}; append one event, then another, to a fresh session; query a page twice. */
    private List<String> events(String function, int n) throws IOException {
        switch (function) {
            case "ping" -> {
                return List.of("{}", "{}");
            }
            case "append" -> {
                String session = "cold-" + n + "-" + UUID.randomUUID().toString().substring(0, 8);
                return List.of(appendEvent(session, 1), appendEvent(session, 2));
            }
            case "query" -> {
                ObjectNode e = fixture("apigw/query-ok.json");
                String path = "/v1/sessions/" + QUERY_SESSION + "/events";
                e.put("rawPath", path);
                ((ObjectNode) e.get("requestContext").get("http")).put("path", path);
                ((ObjectNode) e.get("pathParameters")).put("session_id", QUERY_SESSION);
                String json = Json.write(e);
                return List.of(json, json);
            }
            default -> throw new IllegalArgumentException(function);
        }
    }

    private static String appendEvent(String session, int i) throws IOException {
        ObjectNode e = fixture("apigw/append-ok.json");
        String path = "/v1/sessions/" + session + "/events";
        e.put("rawPath", path);
        ((ObjectNode) e.get("requestContext").get("http")).put("path", path);
        ((ObjectNode) e.get("pathParameters")).put("session_id", session);
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode event = body.putArray("events").addObject().put("event_id", "c-" + i).putObject("event");
        if (i == 1) {
            event.put("type", "AgentStart").put("agent_id", "a1").put("session_id", session).put("loop_id", session + ".m.0")
                    .put("timestamp", "2026-11-21T10:00:00Z");
        } else {
            event.put("type", "TurnStart").put("loop_id", session + ".m.0").put("turn_index", 0)
                    .put("timestamp", "2026-11-21T10:00:01Z").put("triggered_by", "User");
        }
        String text = Json.write(body);
        e.put("body", text);
        ((ObjectNode) e.get("headers")).put("content-length", Integer.toString(text.getBytes(StandardCharsets.UTF_8).length));
        return Json.write(e);
    }

    private static ObjectNode fixture(String resource) throws IOException {
        try (InputStream in = ColdStartBench.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("test resource " + resource + " not found");
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        }
    }

    /** Null when both answers are what the function should answer, else what is wrong. */
    private static String check(String function, List<RuntimeApi.Answer> answers) {
        for (int i = 0; i < answers.size(); i++) {
            RuntimeApi.Answer a = answers.get(i);
            if (a.error()) {
                return "invocation " + (i + 1) + " answered an error: " + a.body();
            }
            JsonNode body;
            try {
                body = Json.MAPPER.readTree(a.body());
            } catch (IOException e) {
                return "invocation " + (i + 1) + " answered no JSON: " + a.body();
            }
            boolean ok = switch (function) {
                case "ping" -> "ok".equals(body.path("status").asText());
                case "append" -> body.path("statusCode").asInt() == 201;
                case "query" -> body.path("statusCode").asInt() == 200 && body.path("body").asText().contains("\"seq\":10");
                default -> false;
            };
            if (!ok) {
                return "invocation " + (i + 1) + " answered " + a.body();
            }
        }
        return null;
    }

    private static final Pattern STARTED = Pattern.compile("started in ([0-9]+[.,][0-9]+)s");
    private static final Pattern PRIMED = Pattern.compile("bench: prime\\(\\) returned (\\w+) in ([0-9.]+) ms");

    private static Double quarkusStarted(Path log) {
        try {
            Matcher m = STARTED.matcher(Files.readString(log, StandardCharsets.UTF_8));
            return m.find() ? Double.parseDouble(m.group(1).replace(',', '.')) * 1000 : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL after 10 s; the process and anything it started. */
    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        if (p.isAlive()) {
            throw new IllegalStateException("child process " + p.pid() + " is still alive after SIGKILL");
        }
    }

    private void killAll() {
        for (Process p : children) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    // ---- report ---------------------------------------------------------------------------------

    private String report(App app, String java, double jvmAlone, List<Sample> samples) throws IOException {
        Map<String, List<Sample>> groups = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Sample s : samples) {
            if (s.failure() != null) {
                failures.add(s.function() + " (" + s.flags() + "): " + s.failure());
                continue;
            }
            groups.computeIfAbsent(s.function() + "|" + s.flags(), k -> new ArrayList<>()).add(s);
        }
        Table t = new Table("function", "variant", ">runs", ">init done: first GET /next", ">of which prime()",
                ">first response (cold start)", ">first invocation", ">Quarkus 'started in'", ">second invocation",
                ">second response");
        for (Map.Entry<String, List<Sample>> g : groups.entrySet()) {
            List<Sample> ss = g.getValue();
            String[] k = g.getKey().split("\\|");
            t.row(k[0], k[1], ss.size(), minMedian(ss, Sample::firstNextMs),
                    ss.stream().allMatch(s -> s.primeMs() != null) ? minMedian(ss, Sample::primeMs) : "",
                    minMedian(ss, Sample::firstResponseMs),
                    minMedian(ss, Sample::firstInvocationMs),
                    ss.stream().allMatch(s -> s.quarkusStartedMs() != null) ? minMedian(ss, Sample::quarkusStartedMs) : "n/a",
                    minMedian(ss, Sample::secondInvocationMs), minMedian(ss, Sample::secondResponseMs));
        }
        String javaVersion = Runtime.version().toString();
        return String.format(Locale.ROOT, """
                ## Cold start

                The deployment package (`%s`, %,d bytes, built %s) unzipped as Lambda unzips it, and started in a child \
                JVM the way Lambda's managed Java runtime starts template.yaml's Handler \
                (`%s`): LambdaRuntimeMain, a stand-in for the runtime interface client, creates the handler (its \
                constructor runs Quarkus's static init and, as Quarkus's SnapStart support with full warm-up is on by \
                default in Lambda builds, starts the application: configuration, CDI, the AWS clients), then polls the \
                Runtime API and calls handleRequest. Child JVM: this JVM's java (%s, %s; Lambda \
                runs java21 on arm64 with about 0.6 vCPU at 1024 MB, this machine has 2 x86 cores); %d runs per \
                function, the functions taking turns. The child gets only the environment Lambda and template.yaml \
                give a function (AWS_LAMBDA_RUNTIME_API, _HANDLER, QUARKUS_FUNQY_EXPORT, EVENTS_TABLE, SESSIONS_TABLE, \
                ARCHIVE_BUCKET, JAVA_TOOL_OPTIONS), plus the Quarkus endpoint overrides and static credentials for \
                moto (DynamoDB, a Python child process started through the project's launcher) and S3Proxy (in this \
                JVM), with the tables of template.yaml. A Lambda Runtime \
                API emulator in this JVM (an HTTP server on 127.0.0.1) answers GET /2018-06-01/runtime/invocation/next \
                with the next event (headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, \
                -Trace-Id) and records POST …/response, …/error and /runtime/init/error. Each run serves two \
                invocations, then the child is stopped (SIGTERM, SIGKILL after 10 s) and checked to be gone. Events: \
                `ping` {} (the empty function); `append` the API Gateway v2 event of \
                src/test/resources/apigw/append-ok.json appending one event to a fresh session, then a second event \
                to it; `query` the GET of query-ok.json reading a page of a 10-event session. Every answer was checked \
                (200 "ok", 201, 200 with the 10 events).

                Times in ms from just before the process is started, min / median of the runs: "init done" is the \
                first GET /next (Lambda's Init phase: JVM start, handler created), "first response" the first answer \
                received (the cold start as a caller waits for it, less Lambda's own part), "first invocation" the \
                time between the two (the first request through the started application), "second invocation" the next \
                GET /next to its answer (warm). Quarkus's own "started in" (from its log) is measured by Quarkus from \
                its static init on. A bare JVM (`java -version`) takes %.0f ms here (median of 3).

                Variants: "C1 only" is template.yaml's JAVA_TOOL_OPTIONS (-XX:+TieredCompilation \
                -XX:TieredStopAtLevel=1), what the functions get on Lambda; "JVM defaults" leaves them out; "+ prime() \
                at init" also calls SnapStartPriming.prime() at the end of init, as SnapStart's beforeCheckpoint hook \
                does before the snapshot is taken (org.crac's hooks never fire on a JVM without CRaC, so the stand-in \
                calls the bean through CDI). That variant shows what priming moves out of the first request; it does \
                not show a SnapStart restore, which only exists on AWS.

                """, app.source(), Files.size(app.source()),
                Files.getLastModifiedTime(app.source()).toInstant().toString().substring(0, 19) + "Z", HANDLER, java,
                javaVersion, options.coldstartRuns(), jvmAlone) + t.render()
                + (failures.isEmpty() ? "" : "\nFailed runs (not in the table): " + String.join("; ", failures) + "\n")
                + "\n";
    }

    private static String minMedian(List<Sample> ss, java.util.function.ToDoubleFunction<Sample> f) {
        double[] v = ss.stream().mapToDouble(f).toArray();
        return String.format(Locale.ROOT, "%,.0f / %,.0f", Arrays.stream(v).min().orElse(Double.NaN), FoldBench.median(v));
    }

    // ---- the Runtime API emulator -----------------------------------------------------------------

    /**
     * The part of the Lambda Runtime API a function uses: next invocation, response, error, init
     * error. One run at a time; requests of an earlier run's process (killed) find nothing to serve.
     */
    static final class RuntimeApi {

        record Answer(String requestId, String body, boolean error) {
        }

        static final class Run {
            final BlockingQueue<String[]> pending = new LinkedBlockingQueue<>();
            final List<Long> nextAt = new CopyOnWriteArrayList<>();
            final List<Long> answerAt = new CopyOnWriteArrayList<>();
            final List<Answer> answers = new CopyOnWriteArrayList<>();
            volatile String initError;

            synchronized boolean await(int answers, long timeoutMs) throws InterruptedException {
                long deadline = System.currentTimeMillis() + timeoutMs;
                while (this.answers.size() < answers && initError == null) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0) {
                        return false;
                    }
                    wait(Math.min(left, 200));
                }
                return this.answers.size() >= answers;
            }

            synchronized void answered(Answer a, long at) {
                answerAt.add(at);
                answers.add(a);
                notifyAll();
            }

            synchronized void failedInit(String body) {
                initError = body;
                notifyAll();
            }
        }

        private final HttpServer server;
        private final ExecutorService executor;
        private volatile Run current = new Run();

        private RuntimeApi(HttpServer server, ExecutorService executor) {
            this.server = server;
            this.executor = executor;
        }

        static RuntimeApi start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "runtime-api");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            RuntimeApi api = new RuntimeApi(server, executor);
            server.createContext("/2018-06-01/runtime/", api::handle);
            server.start();
            return api;
        }

        int port() {
            return server.getAddress().getPort();
        }

        Run begin(List<String> events) {
            Run run = new Run();
            for (String e : events) {
                run.pending.add(new String[] {UUID.randomUUID().toString(), e});
            }
            current = run;
            return run;
        }

        void stop() {
            server.stop(0);
            executor.shutdownNow();
        }

        private void handle(HttpExchange x) throws IOException {
            long at = System.nanoTime();
            Run run = current;
            try (x) {
                String path = x.getRequestURI().getPath();
                String method = x.getRequestMethod();
                byte[] body = x.getRequestBody().readAllBytes();
                if ("GET".equals(method) && path.endsWith("/invocation/next")) {
                    run.nextAt.add(at);
                    String[] next;
                    try {
                        // Lambda holds the request until there is an invocation; bounded here.
                        next = run.pending.poll(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    if (next == null) {
                        respond(x, 500, "{\"errorMessage\":\"no invocation\"}");
                        return;
                    }
                    x.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", next[0]);
                    x.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 900_000));
                    x.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:123456789012:function:sessionlog-bench");
                    x.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
                            "Root=1-67a1b2c3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=0");
                    respond(x, 200, next[1]);
                } else if ("POST".equals(method) && path.endsWith("/response")) {
                    respond(x, 202, "{\"status\":\"OK\"}");
                    run.answered(new Answer(requestId(path), new String(body, StandardCharsets.UTF_8), false), at);
                } else if ("POST".equals(method) && path.endsWith("/error") && path.contains("/invocation/")) {
                    respond(x, 202, "{\"status\":\"OK\"}");
                    run.answered(new Answer(requestId(path), new String(body, StandardCharsets.UTF_8), true), at);
                } else if ("POST".equals(method) && path.endsWith("/init/error")) {
                    respond(x, 202, "{\"status\":\"OK\"}");
                    run.failedInit(new String(body, StandardCharsets.UTF_8));
                } else {
                    respond(x, 404, "{\"errorMessage\":\"unknown path " + path + "\"}");
                }
            } catch (IOException gone) {
                // the child was stopped while its request was open
            }
        }

        private static String requestId(String path) {
            String[] parts = path.split("/");
            return parts.length >= 2 ? parts[parts.length - 2] : "";
        }

        private static void respond(HttpExchange x, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
