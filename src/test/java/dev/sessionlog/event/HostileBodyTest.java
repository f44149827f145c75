package dev.sessionlog.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The security review's CPU finding: a body built to be expensive (long keys nested around many
 * values) must cost the parser work in proportion to its size, before it is stored or refused. Work
 * is measured as the bytes this thread allocates (exact, and free of the machine's speed): before the
 * fix, the 0.9 MB body below made the parser allocate about 47 GB (a path string of 120 KB for each of
 * 450,000 zeros), and the 1.8 MB one about 100 GB before it was refused as too large.
 */
class HostileBodyTest {

    /** What the parser may allocate per byte of body: Jackson's tree, the event's bytes, and slack. */
    static final long ALLOCATED_PER_BODY_BYTE = 64;

    private final AppendRequestParser parser = new AppendRequestParser(Limits.defaults());

    @Test
    void anEventOfLongKeysAroundManyValuesCostsWorkInProportionToItsSize() {
        String body = hostile(900_000);
        long allocated = allocatedBy(() -> parser.parse("s", body));
        assertTrue(allocated < ALLOCATED_PER_BODY_BYTE * body.length(),
                "allocated " + allocated / 1_000_000 + " MB to parse a body of " + body.length() / 1_000 + " KB");
    }

    @Test
    void anEventOverTheLimitIsRefusedBeforeItIsWalked() {
        String body = hostile(1_800_000);
        long allocated = allocatedBy(() -> {
            TooLargeException refused = assertThrows(TooLargeException.class, () -> parser.parse("s", body));
            assertTrue(refused.getMessage().contains("events[0].event is"), refused::getMessage);
            return refused;
        });
        assertTrue(allocated < ALLOCATED_PER_BODY_BYTE * body.length(),
                "allocated " + allocated / 1_000_000 + " MB to refuse a body of " + body.length() / 1_000 + " KB");
    }

    @Test
    void aNumberNoDoubleHoldsIsNamedByItsPathEvenUnderLongKeys() {
        String key = "k".repeat(40_000);
        InvalidRequestException refused = assertThrows(InvalidRequestException.class,
                () -> parser.parse("s", "{\"events\":[{\"event\":{\"type\":\"x\",\"" + key + "\":[1,2,1e400]}}]}"));
        assertEquals("events[0].event." + "k".repeat(40) + "...[2] is 1E+400, which no IEEE-754 double holds"
                + " (the chain's canonical form, RFC 8785, writes every number as one)", refused.getMessage());
    }

    /** {"events":[{"event":{"type":"x","k1":{"k2":{"k3":[0,0,...]}}}}]} of about {@code bytes}, with 40 KB keys. */
    static String hostile(int bytes) {
        StringBuilder b = new StringBuilder(bytes + 64).append("{\"events\":[{\"event\":{\"type\":\"x\",\"")
                .append("a".repeat(40_000)).append("\":{\"").append("b".repeat(40_000)).append("\":{\"")
                .append("c".repeat(40_000)).append("\":[0");
        while (b.length() + 9 <= bytes) {
            b.append(",0");
        }
        return b.append("]}}}}]}").toString();
    }

    private static long allocatedBy(Supplier<?> work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        work.get();
        return threads.getThreadAllocatedBytes(thread) - before;
    }
}
