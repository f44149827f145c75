package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.AgentRunGenerator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * What the hash chain added to an append, path by path: the calls and capacity of each path now,
 * beside the calls measured before the chain existed (docs/BENCHMARKS.md, "Does anything grow with
 * the session's length?": its fresh and 1,000-event columns). The chain may add at most one
 * DynamoDB call per append; the report names every path that gained one, and any that gained more.
 */
final class ChainAppendCosts {

    /** Steady rows append to sessions of this length, as the "before" column did. */
    static final int LENGTH = 1_000;
    static final int[] SIZES = {1, 10, 100};

    enum Ids {
        NONE("none (server ids)"), ORDERED("client, ordered"), RANDOM("client, random UUIDs");

        final String label;

        Ids(String label) {
            this.label = label;
        }
    }

    enum Path {
        STEADY("steady (session of 1,000)"), FRESH("first append of a new session"), RETRY("all-duplicate retry");

        final String label;

        Path(String label) {
            this.label = label;
        }
    }

    /** Calls · RCU of one request before the chain; rcu NaN where only the calls are known. */
    record Before(int calls, double rcu, boolean fromCode) {
    }

    /**
     * Steady and fresh: measured, docs/BENCHMARKS.md (session-length table, columns "fresh (0)" and
     * "1,000"). Retry: not measured then; the code before the chain (commit ba4a41e,
     * DynamoEventLog.appendRacing and duplicates) read the head and looked the ids up, nothing else.
     */
    static Before before(Path path, Ids ids, int n, boolean expected) {
        return switch (path) {
            case FRESH -> ids == Ids.NONE && expected ? new Before(1, 0, false) : new Before(2, 1, false);
            case RETRY -> new Before(ids == Ids.RANDOM && n > 1 ? n + 2 : 2, Double.NaN, true);
            case STEADY -> switch (ids) {
                case NONE -> expected ? (n == 100 ? new Before(2, 1, false) : new Before(1, 0, false)) : new Before(2, 1, false);
                case ORDERED -> expected && n == 100 ? new Before(4, 3, false) : new Before(3, 2, false);
                case RANDOM -> n == 1 ? new Before(3, 2, false) : n == 10 ? new Before(13, 12, false)
                        : expected ? new Before(104, 106, false) : new Before(103, 105, false);
            };
        };
    }

    /** Why a path gained what it gained (DynamoAppender and Heads, on this branch). */
    static String why(Path path, Ids ids, boolean expected) {
        return switch (path) {
            case FRESH -> "GetItem: the erasure tombstone";
            case RETRY -> "GetItem: the chain at the highest duplicate (the receipt)";
            case STEADY -> !expected || ids != Ids.NONE ? "none: the head Query gives the chain"
                    : "GetItem: the chain of the item at expected_seq";
        };
    }

    private final BenchStack stack;
    private final Benchmarks.Options options;
    private final List<JsonNode> pool = new ArrayList<>();
    private int poolCursor;
    private int sessions;
    private final List<String> overOne = new ArrayList<>();
    private final List<String> mismatched = new ArrayList<>();

    ChainAppendCosts(BenchStack stack, Benchmarks.Options options) {
        this.stack = stack;
        this.options = options;
        for (EventRecord e : AgentRunGenerator.generate(AgentRunGenerator.Config.of("bench-chain", 400)).events()) {
            pool.add(e.event());
        }
    }

    /** A session the rows append to, and its head as the bench knows it. */
    private static final class Target {
        final StreamKey key;
        long head;

        Target(String id) {
            key = new StreamKey(LifecycleSessions.TENANT, id);
        }
    }

    String run() {
        int k = options.quick() ? 1 : 3;
        long t0 = System.nanoTime();
        stack.clock.set(LifecycleSessions.NOW);
        Target ordered = new Target("chain-ordered");
        Target uuids = new Target("chain-uuids");
        while (ordered.head < LENGTH) {
            append(ordered, request(ordered, 100, Ids.ORDERED, false));
            append(uuids, request(uuids, 100, Ids.NONE, false));
        }
        long setup = System.nanoTime() - t0;
        Benchmarks.progress("lifecycle: append sessions filled to %,d events in %.1f s", LENGTH, setup / 1e9);

        Table t = new Table("path", "event ids", ">events/request", "expected_seq", ">before: calls · RCU",
                ">after: calls · RCU · WCU", "after: calls by operation", ">added", "what was added");
        for (Path path : Path.values()) {
            for (Ids ids : Ids.values()) {
                if (path == Path.RETRY && ids == Ids.NONE) {
                    continue; // without client ids a retry writes new events
                }
                for (int n : SIZES) {
                    for (boolean expected : new boolean[] {false, true}) {
                        List<BenchStack.Measured> samples = new ArrayList<>();
                        for (int i = 0; i < k; i++) {
                            Target target = path == Path.FRESH ? new Target("chain-fresh-" + (++sessions))
                                    : ids == Ids.ORDERED ? ordered : uuids;
                            AppendRequest r = request(target, n, ids, expected);
                            BenchStack.Measured first = append(target, r);
                            samples.add(path == Path.RETRY ? retry(target, r) : first);
                        }
                        row(t, path, ids, n, expected, samples);
                    }
                }
            }
        }
        Benchmarks.progress("lifecycle: append paths measured (%d over one added call)", overOne.size());
        return report(t, k, setup);
    }

    private AppendRequest request(Target s, int n, Ids ids, boolean expected) {
        List<NewEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode e = pool.get(poolCursor++ % pool.size());
            String id = switch (ids) {
                case ORDERED -> "e-" + (s.head + 1 + i);
                case RANDOM -> UUID.randomUUID().toString();
                case NONE -> null;
            };
            events.add(new NewEvent(id, null, e, Json.bytes(e)));
        }
        return new AppendRequest(events, expected ? OptionalLong.of(s.head) : OptionalLong.empty());
    }

    private BenchStack.Measured append(Target s, AppendRequest r) {
        BenchStack.Measured m = stack.measure(() -> stack.components.eventLog().append(s.key, r), result -> {
            if (result.headSeq() != s.head + r.events().size() || result.events().stream().anyMatch(e -> e.duplicate())) {
                throw new IllegalStateException("unexpected append result " + result + " for head " + s.head);
            }
        });
        s.head += r.events().size();
        return m;
    }

    /** The same request again, as a client whose answer was lost sends it: every event a duplicate. */
    private BenchStack.Measured retry(Target s, AppendRequest r) {
        return stack.measure(() -> stack.components.eventLog().append(s.key, r), result -> {
            if (result.headSeq() != s.head || !result.events().stream().allMatch(e -> e.duplicate()) || result.chain() == null) {
                throw new IllegalStateException("a retry answered " + result + " at head " + s.head);
            }
        });
    }

    private void row(Table t, Path path, Ids ids, int n, boolean expected, List<BenchStack.Measured> samples) {
        Before before = before(path, ids, n, expected);
        long min = samples.stream().mapToLong(BenchStack.Measured::dynamoCalls).min().orElseThrow();
        long max = samples.stream().mapToLong(BenchStack.Measured::dynamoCalls).max().orElseThrow();
        long getItems = samples.stream().mapToLong(m -> m.count(BenchCalls.DYNAMO, "GetItem")).max().orElseThrow();
        long added = max - before.calls();
        String label = path.label + ", " + ids.label + ", " + n + " events, expected_seq " + (expected ? "given" : "no");
        if (added > 1) {
            overOne.add(label + ": +" + added);
        }
        if (added != getItems || min != max) {
            // Before the chain an append made no GetItem: every call it gained should be one.
            mismatched.add(label + ": +" + added + " calls, " + getItems + " GetItem, calls " + min + "–" + max);
        }
        Set<String> ops = new LinkedHashSet<>();
        samples.forEach(m -> ops.add(BenchCalls.breakdown(m.calls())));
        t.row(path.label, ids.label, n, expected ? "given" : "no",
                before.calls() + (before.fromCode() ? "†" : "") + " · " + (Double.isNaN(before.rcu()) ? "–" : Table.num(before.rcu(), 0)),
                (min == max ? Long.toString(max) : min + "–" + max) + " · " + range(samples, c -> c.rcu()) + " · "
                        + Table.num(samples.stream().mapToDouble(m -> m.cost().wcu()).average().orElseThrow(), 1),
                String.join(" / ", ops), (added > 0 ? "+" : "") + added + (added > 1 ? " **(more than one)**" : ""),
                added == 0 ? "none" : why(path, ids, expected));
    }

    private static String range(List<BenchStack.Measured> samples, java.util.function.ToDoubleFunction<CapacityModel.Cost> f) {
        double min = samples.stream().mapToDouble(m -> f.applyAsDouble(m.cost())).min().orElseThrow();
        double max = samples.stream().mapToDouble(m -> f.applyAsDouble(m.cost())).max().orElseThrow();
        return Math.abs(max - min) < 1e-9 ? Table.num(min, 1) : Table.num(min, 1) + "–" + Table.num(max, 1);
    }

    private String report(Table t, int k, long setup) {
        return String.format(Locale.ROOT, """
                ### Append after the hash chain

                The append paths of the append section, through the product's log (Components → SeamlessEventLog → \
                DynamoEventLog), %d request(s) per row. Steady rows append to two sessions grown to %,d events \
                (setup %s): one with ordered client ids ("e-<seq>"), one with server ids, which the rows with random \
                client ids and without ids go to. Fresh rows: the first append of a new session each. Retry rows: the \
                steady request sent again unchanged (expected_seq included, as a client whose answer was lost sends \
                it), every event a duplicate. "Before" is the table "Does anything grow with the session's length?" \
                above (columns "fresh (0)" and "1,000"), measured before the chain existed; † marks the retry rows, \
                which were not measured then: the code before the chain (commit ba4a41e) read the head and looked \
                the ids up, nothing more. After: calls measured, RCU and WCU (table + index) computed by \
                CapacityModel. "Added" = after − before, DynamoDB calls. What was added: for a new session, a \
                GetItem of the erasure tombstone (an erased session id must not start again); with expected_seq and \
                no client ids, a GetItem of the item at expected_seq, whose chain the new event links to (before, \
                that path read nothing); for an all-duplicate retry, a GetItem of the chain at the highest duplicate \
                seq, so that the retry gets the receipt the first answer gave. Every other path reads the head with \
                its Query already, and the chain comes with it.

                """, k, LENGTH, LifecycleSessions.seconds(setup)) + t.render() + String.format(Locale.ROOT, """

                Paths that gained more than one call: %s. Rows where the calls gained are not exactly the \
                request's GetItems (before the chain an append made none), or where requests of a row differed: %s.

                """, overOne.isEmpty() ? "none" : String.join("; ", overOne),
                mismatched.isEmpty() ? "none" : String.join("; ", mismatched));
    }
}
