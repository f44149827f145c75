package dev.sessionlog.bench;

import dev.sessionlog.erase.Eraser;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one measured erasure run into its steps, from the Eraser's own crash points (which never
 * crash here): the calls, wall time and CPU time of the erasing thread between two points.
 */
final class ErasePhases implements Eraser.CrashPoints {

    /** One step: the calls it made, its wall time (the model's peeks taken out) and the erasing thread's CPU time. */
    record Phase(String point, String what, List<BenchCalls.Call> calls, long wallNanos, long cpuNanos) {

        long callNanos() {
            return calls.stream().mapToLong(BenchCalls.Call::nanos).sum();
        }

        CapacityModel.Cost cost() {
            CapacityModel.Cost sum = CapacityModel.Cost.ZERO;
            for (BenchCalls.Call c : calls) {
                sum = sum.plus(c.model());
            }
            return sum;
        }

        long count(String operation) {
            return calls.stream().filter(c -> operation.equals(c.operation())).count();
        }
    }

    private record Mark(String point, int calls, long nanos, long peekNanos, long cpuNanos) {
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BenchCalls calls;
    private final List<Mark> marks = new ArrayList<>();

    ErasePhases(BenchCalls calls) {
        this.calls = calls;
    }

    /** Called first thing in the measured step, on the erasing thread. */
    void start() {
        marks.clear();
        reached("start");
    }

    @Override
    public void reached(String point) {
        marks.add(new Mark(point, calls.recorded(), System.nanoTime(), calls.peekNanos(), THREADS.getCurrentThreadCpuTime()));
    }

    /** Called last thing in the measured step, on the erasing thread. */
    void end() {
        reached("end");
    }

    /** The steps of the run whose calls are {@code all}; repeated points (each fork, each chunk) make one step. */
    List<Phase> phases(List<BenchCalls.Call> all) {
        List<Phase> phases = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < marks.size(); i++) {
            Mark m = marks.get(i);
            if (i + 1 < marks.size() && marks.get(i + 1).point().equals(m.point())) {
                continue; // the same step goes on
            }
            Mark start = marks.get(from);
            phases.add(new Phase(m.point(), describe(m.point()), List.copyOf(all.subList(start.calls(), m.calls())),
                    (m.nanos() - start.nanos()) - (m.peekNanos() - start.peekNanos()), m.cpuNanos() - start.cpuNanos()));
            from = i;
        }
        return phases;
    }

    static String describe(String point) {
        return switch (point) {
            case "leased" -> "find the marks (8 index shards); take the erasure's and the archive's leases";
            case "fork-copied" -> "list the forks; give each its own copy of what it inherited: objects, checkpoints, stubs";
            case "objects-deleted" -> "delete archive objects, large bodies, state objects (one LIST + one DeleteObjects each)";
            case "session-deleted" -> "delete the materialized session";
            case "items-deleted" -> "delete the partition's items (Query pages, BatchWriteItem of 25)";
            case "tombstoned" -> "last (empty) page; tombstone; sealed erasure record";
            case "end" -> "remove the mark";
            default -> point;
        };
    }
}
