package dev.sessionlog.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The benchmarks of docs/BENCHMARKS.md. Run with {@code ./mvnw -B -Pbench}; prints a Markdown
 * report on stdout (progress goes to stderr).
 *
 * <p>Options, as system properties ({@code -Dbench.quick=true}) or arguments
 * ({@code -Dexec.args="--quick --sections=append"}):
 * <ul>
 *   <li>{@code bench.sections}: comma-separated, of {@code append}, {@code fold}, {@code record},
 *       {@code archive}, {@code coldstart}, {@code lifecycle}, {@code hostile}, {@code cost}, {@code follow} (default all)</li>
 *   <li>{@code bench.quick}: a smoke run of well under a minute with small sizes</li>
 *   <li>{@code bench.out}: also write the report to this file</li>
 *   <li>{@code bench.seconds}: seconds measured per append configuration (default 2.5, quick 0.3)</li>
 *   <li>{@code bench.lengths}: session lengths of the append section (default 1000,10000; quick 200,1000)</li>
 *   <li>{@code bench.foldLoops}: loops of the generated run the fold section folds (default 2000)</li>
 *   <li>{@code bench.coldstartRuns}: JVM starts per function of the coldstart section (default 5, quick 1)</li>
 *   <li>{@code bench.eraseEvents}: session lengths the lifecycle section erases (default 10000,100000; quick 1000)</li>
 *   <li>{@code bench.costSessions}: sessions the cost section replays at once (default 8, quick 2)</li>
 *   <li>{@code bench.costLoops}: agent loops per session of the cost section (default 4, quick 1)</li>
 *   <li>{@code bench.batchingWindow}: the recorder mapping's batching window in seconds the cost section
 *       assumes (default: template.yaml's RecorderBatchingWindowSeconds default)</li>
 *   <li>{@code bench.costIds}: the cost section sends an event_id with every event, ordered as the clients
 *       make them (UUIDv7), so that the append checks them (default false: server-made ids)</li>
 *   <li>{@code bench.jar}: the application jar the coldstart section starts (default
 *       target/quarkus-app/quarkus-run.jar, else the runner jar that target/quarkus-artifact.properties names)</li>
 * </ul>
 */
public final class Benchmarks {

    static final PrintStream PROGRESS = System.err;

    /** What to run and how long. */
    record Options(Set<String> sections, boolean quick, Path out, double secondsPerConfig, List<Integer> lengths,
                   int foldLoops, int foldWarmup, int foldIterations, int coldstartRuns, Path jar, List<Integer> eraseEvents,
                   int costSessions, int costLoops, Integer costBatchingWindow, boolean costIds) {

        static final List<String> SECTIONS = List.of("append", "fold", "record", "archive", "coldstart", "lifecycle", "hostile", "cost", "follow");

        static Options parse(String[] args) {
            String sections = System.getProperty("bench.sections", String.join(",", SECTIONS));
            boolean quick = Boolean.parseBoolean(System.getProperty("bench.quick", "false"));
            String out = System.getProperty("bench.out");
            String seconds = System.getProperty("bench.seconds");
            String lengths = System.getProperty("bench.lengths");
            String foldLoops = System.getProperty("bench.foldLoops");
            String coldstartRuns = System.getProperty("bench.coldstartRuns");
            String jar = System.getProperty("bench.jar");
            String eraseEvents = System.getProperty("bench.eraseEvents");
            String costSessions = System.getProperty("bench.costSessions");
            String costLoops = System.getProperty("bench.costLoops");
            String costBatchingWindow = System.getProperty("bench.batchingWindow");
            String costIds = System.getProperty("bench.costIds", "false");
            for (String a : args) {
                String arg = a.startsWith("--") ? a.substring(2) : a;
                String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "true";
                switch (name) {
                    case "sections" -> sections = value;
                    case "quick" -> quick = Boolean.parseBoolean(value);
                    case "out" -> out = value;
                    case "seconds" -> seconds = value;
                    case "lengths" -> lengths = value;
                    case "foldLoops" -> foldLoops = value;
                    case "coldstartRuns" -> coldstartRuns = value;
                    case "jar" -> jar = value;
                    case "eraseEvents" -> eraseEvents = value;
                    case "costSessions" -> costSessions = value;
                    case "costLoops" -> costLoops = value;
                    case "batchingWindow" -> costBatchingWindow = value;
                    case "costIds" -> costIds = value;
                    case "append", "fold", "record", "archive", "coldstart", "lifecycle", "hostile", "cost", "follow" -> sections = name;
                    default -> throw new IllegalArgumentException("unknown option " + a
                            + " (known: --sections=" + String.join(",", SECTIONS) + " --quick --out=FILE --seconds=S"
                            + " --lengths=N,M --foldLoops=N --coldstartRuns=N --jar=PATH --eraseEvents=N,M"
                            + " --costSessions=N --costLoops=N --batchingWindow=S --costIds)");
                }
            }
            Set<String> chosen = new LinkedHashSet<>();
            for (String s : sections.split(",")) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (t.isEmpty()) {
                    continue;
                }
                if (!SECTIONS.contains(t)) {
                    throw new IllegalArgumentException("unknown section " + t + " (known: " + String.join(", ", SECTIONS) + ")");
                }
                chosen.add(t);
            }
            List<Integer> lens = ints(lengths != null ? lengths : quick ? "200,1000" : "1000,10000");
            return new Options(chosen, quick, out == null ? null : Path.of(out),
                    seconds != null ? Double.parseDouble(seconds) : quick ? 0.3 : 2.5, lens,
                    foldLoops != null ? Integer.parseInt(foldLoops) : quick ? 200 : 2000,
                    quick ? 2 : 10, quick ? 3 : 15,
                    coldstartRuns != null ? Integer.parseInt(coldstartRuns) : quick ? 1 : 5,
                    jar == null ? null : Path.of(jar), ints(eraseEvents != null ? eraseEvents : quick ? "1000" : "10000,100000"),
                    costSessions != null ? Integer.parseInt(costSessions) : quick ? 2 : 8,
                    costLoops != null ? Integer.parseInt(costLoops) : quick ? 1 : 4,
                    costBatchingWindow != null ? Integer.valueOf(costBatchingWindow) : null, Boolean.parseBoolean(costIds));
        }

        private static List<Integer> ints(String list) {
            List<Integer> values = new ArrayList<>();
            for (String s : list.split(",")) {
                values.add(Integer.parseInt(s.trim()));
            }
            return values;
        }
    }

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        long started = System.nanoTime();
        String fold = null;
        String append = null;
        String record = null;
        String archive = null;
        String coldstart = null;
        String lifecycle = null;
        String hostile = null;
        String cost = null;
        String follow = null;
        try {
            // The fold runs first, on a quiet JVM: no moto process or S3Proxy threads yet. The cold starts next,
            // while this JVM is still quiet (their child JVMs share the machine's two cores with it).
            if (options.sections().contains("fold")) {
                fold = new FoldBench(options).run();
            }
            if (options.sections().contains("hostile")) {
                hostile = new HostileBodyBench().run();
            }
            if (options.sections().contains("coldstart")) {
                coldstart = new ColdStartBench(options).run();
            }
            if (options.sections().contains("append")) {
                append = new AppendBench(options).run();
            }
            if (options.sections().contains("record")) {
                record = new RecordBench(options).run();
            }
            if (options.sections().contains("archive")) {
                archive = new ArchiveBench(options).run();
            }
            if (options.sections().contains("lifecycle")) {
                lifecycle = new LifecycleBench(options).run();
            }
            if (options.sections().contains("cost")) {
                cost = new CostBench(options).run();
            }
            if (options.sections().contains("follow")) {
                follow = new FollowBench().run();
            }
        } catch (Exception | Error e) {
            // exec:java waits for every non-daemon thread: a section that failed must not leave the build hanging.
            e.printStackTrace(PROGRESS);
            stopLeftoverThreads(before);
            PROGRESS.println("bench: failed; exiting");
            PROGRESS.flush();
            System.exit(1);
        } finally {
            stopLeftoverThreads(before);
        }
        StringBuilder report = new StringBuilder();
        report.append("# sessionlog benchmarks\n\n").append(machine(options, started)).append('\n');
        for (String section : new String[] {append, fold, record, archive, coldstart, lifecycle, hostile, cost, follow}) {
            if (section != null) {
                report.append(section).append('\n');
            }
        }
        String text = report.toString();
        System.out.println();
        System.out.println(text);
        System.out.flush();
        if (options.out() != null) {
            Files.writeString(options.out(), text, StandardCharsets.UTF_8);
            PROGRESS.println("bench: report written to " + options.out().toAbsolutePath());
        }
        if (!stillRunning(before).isEmpty()) {
            // exec:java waits for every non-daemon thread; one that ignores interrupts would hang the build.
            PROGRESS.println("bench: threads still running after shutdown " + stillRunning(before) + "; exiting");
            System.exit(0);
        }
    }

    private static String machine(Options options, long started) {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT, """
                Run %s, %s mode, sections %s, took %.0f s.
                Machine: %d available processors, %s %s (%s), max heap %d MiB, %s %s.
                JVM input arguments: %s
                """,
                Instant.now().toString().substring(0, 19) + "Z", options.quick() ? "quick (smoke)" : "full",
                String.join(",", options.sections()), (System.nanoTime() - started) / 1e9,
                rt.availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vendor"), rt.maxMemory() / (1024 * 1024), System.getProperty("os.name"),
                System.getProperty("os.arch"), ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /** Interrupts the non-daemon threads the benchmarks left (servers' and clients' pools), and waits for them. */
    private static void stopLeftoverThreads(Set<Thread> before) throws InterruptedException {
        List<Thread> left = stillRunning(before);
        left.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (Thread t : left) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }

    private static List<Thread> stillRunning(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t != Thread.currentThread() && !t.isDaemon() && t.isAlive() && !before.contains(t))
                .toList();
    }

    static void progress(String format, Object... args) {
        PROGRESS.printf(Locale.ROOT, "bench: " + format + "%n", args);
        PROGRESS.flush();
    }
}
