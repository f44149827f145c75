package dev.sessionlog.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.chain.CheckpointStore;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.StoreBusyException;
import dev.sessionlog.log.TimeBudget;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.StreamKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/sessions/{id}/verify}: recomputes the chain over the session's records, hot and
 * archived, at most {@value #MAX_RECORDS} per call, and checks it against the sealed checkpoints in
 * range and against a receipt a client kept. A stored chain alone proves nothing against whoever can
 * rewrite the table: the checkpoints and receipts are the anchors held elsewhere.
 */
public final class VerifyHandler {

    static final int MAX_RECORDS = 10_000;
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    private final EventLog log;
    private final CheckpointStore checkpoints;

    private final dev.sessionlog.sessions.WaitSlots slots;
    private final java.time.Clock clock;

    /** @param slots each tenant's verify calls at once (one reads up to {@link #MAX_RECORDS} records) */
    public VerifyHandler(EventLog log, CheckpointStore checkpoints, dev.sessionlog.sessions.WaitSlots slots, java.time.Clock clock) {
        this.log = log;
        this.checkpoints = checkpoints;
        this.slots = slots;
        this.clock = clock;
    }

    HttpApiResponse handle(HttpApiEvent event, StreamKey key) {
        Head head = log.headInfo(key);
        if (!head.exists()) {
            throw ApiException.sessionNotFound(key.sessionId());
        }
        long from = QueryParams.longParam(event, "from_seq", 1, 1, Long.MAX_VALUE);
        long through = QueryParams.longParam(event, "through_seq", head.seq(), 1, Long.MAX_VALUE);
        if (from > head.seq()) {
            throw ApiException.invalid("from_seq must be from 1 to the head, " + head.seq() + ", was " + from);
        }
        if (through < from) {
            throw ApiException.invalid("through_seq must be at least from_seq (" + from + "), was " + through);
        }
        Long receiptSeq = QueryParams.optionalLong(event, "receipt_seq", 1, Long.MAX_VALUE);
        String receiptChain = event.query("receipt_chain") == null || event.query("receipt_chain").isEmpty() ? null
                : event.query("receipt_chain");
        if ((receiptSeq == null) != (receiptChain == null)) {
            throw ApiException.invalid("receipt_seq and receipt_chain go together: give both or neither");
        }
        if (receiptChain != null && !HEX64.matcher(receiptChain).matches()) {
            throw ApiException.invalid("receipt_chain must be 64 lowercase hex characters (an append's chain)");
        }
        // Only a request that will read holds one of the tenant's verify slots: a bad one writes nothing.
        String holder = java.util.UUID.randomUUID().toString();
        // held at most as long as API Gateway lets any request run: a dead instance's slot lapses then
        if (!slots.acquire(key.tenant(), holder, clock.instant().plusSeconds(30))) {
            throw new ApiException(429, "throttled", "this tenant has " + slots.maxPerTenant()
                    + " verify calls running, its limit at once; retry when one has answered");
        }
        try {
            return verifyHeld(key, head, from, through, receiptSeq, receiptChain);
        } finally {
            try {
                slots.release(key.tenant(), holder);
            } catch (RuntimeException lapsesByItself) {
                // the slot lapses at its time; the answer stands
            }
        }
    }

    private HttpApiResponse verifyHeld(StreamKey key, Head head, long from, long through, Long receiptSeq, String receiptChain) {
        long last = Math.min(through, head.seq());
        long end = Math.min(last, from + MAX_RECORDS - 1);

        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("session_id", key.sessionId());
        body.put("from_seq", from);
        body.put("through_seq", end);
        Map<Long, String> anchors = new HashMap<>();
        // Only the checkpoints this call uses are fetched: those in [from, end], and on the last page
        // those past the head (a session cut short after them).
        long pastHeadBound = through == head.seq() ? Long.MAX_VALUE : through;
        boolean lastPage = end == head.seq();
        for (CheckpointStore.Checkpoint c : checkpoints.list(key,
                s -> s >= from && s <= end || lastPage && s > head.seq() && s <= pastHeadBound)) {
            anchors.put(c.seq(), c.chain());
        }
        // A fork's records up to its fork seq are its source's (and so on up): so are their checkpoints.
        for (Lineage.Ancestor a : head.lineage().ancestors()) {
            long upTo = Math.min(end, a.throughSeq());
            for (CheckpointStore.Checkpoint c : checkpoints.list(new StreamKey(key.tenant(), a.sessionId()), s -> s >= from && s <= upTo)) {
                anchors.putIfAbsent(c.seq(), c.chain());
            }
        }
        if (receiptSeq != null) {
            anchors.put(receiptSeq, receiptChain);
        }
        // Anchors past the head: the session was cut short after them.
        long pastHead = anchors.keySet().stream().filter(s -> s > head.seq()).min(Long::compare).orElse(-1L);

        Verification v = verify(key, from, end, anchors);
        body.put("chain", v.chain);
        if (v.unchainedThrough > 0) {
            body.put("unchained_through_seq", v.unchainedThrough);
        }
        if (v.firstBad > 0) {
            fail(body, v.firstBad, v.problem);
        } else if (pastHead > 0 && end == head.seq()) {
            fail(body, head.seq() + 1, "the session ends at seq " + head.seq() + ", but a " + (receiptSeq != null && receiptSeq == pastHead
                    ? "receipt" : "sealed checkpoint") + " holds the chain at seq " + pastHead + ": records were removed from its end");
        } else if (v.unchainedThrough > 0) {
            body.put("ok", false);
            body.putNull("first_bad_seq");
            body.put("problem", "seqs " + from + " to " + v.unchainedThrough + " were written before the chain existed: they cannot be verified");
        } else {
            body.put("ok", true);
        }
        if (end < last && v.firstBad == 0) {
            body.put("next_from_seq", end + 1);
        } else {
            body.putNull("next_from_seq");
        }
        if (receiptSeq != null) {
            body.put("receipt_seq", receiptSeq);
            body.put("receipt_ok", v.firstBad == 0 && receiptSeq <= end && pastHead != receiptSeq
                    ? Boolean.valueOf(receiptChain.equals(v.chainAtAnchors.get(receiptSeq))) : null);
        }
        return HttpApiResponse.json(200, body);
    }

    private static void fail(ObjectNode body, long seq, String problem) {
        body.put("ok", false);
        body.put("first_bad_seq", seq);
        body.put("problem", problem);
    }

    private static final class Verification {
        String chain;
        long firstBad;
        String problem;
        long unchainedThrough;
        final Map<Long, String> chainAtAnchors = new HashMap<>();
    }

    private Verification verify(StreamKey key, long from, long end, Map<Long, String> anchors) {
        Verification v = new Verification();
        String previous = ChainHash.GENESIS;
        boolean seenChained = false;
        if (from > 1) {
            // A range after 1 starts from the stored chain of the record before it, which an earlier call verified.
            List<EventRecord> before = log.readPage(key, ReadSpec.after(from - 2, 1, Long.MAX_VALUE)).events();
            previous = before.isEmpty() ? null : before.get(0).chain();
            seenChained = previous != null;
        }
        long expected = from;
        while (expected <= end) {
            EventPage page;
            try {
                page = log.readPage(key, new ReadSpec(false, expected - 1, end, 1000, 32L * 1024 * 1024, java.util.Set.of()));
            } catch (RuntimeException unreadable) {
                if (isStoreTrouble(unreadable)) {
                    throw unreadable; // not the records' fault: 503 or 429, try again
                }
                // an archive object or a large body that no longer decodes: as much a change as a wrong byte.
                // The page failed as a whole; one record at a time finds the first seq that cannot be read.
                page = readableRun(key, expected, end);
                if (page.events().isEmpty()) {
                    return bad(v, expected, "the record at seq " + expected + " cannot be read (" + unreadable.getClass().getSimpleName()
                            + "): where it is stored was changed", previous);
                }
            }
            if (page.events().isEmpty()) {
                return bad(v, expected, "seq " + expected + " is missing", previous);
            }
            for (EventRecord r : page.events()) {
                if (r.seq() != expected) {
                    return bad(v, expected, r.seq() > expected ? "seq " + expected + " is missing" : "seq " + r.seq() + " is out of place",
                            previous);
                }
                if (r.chain() == null) {
                    if (seenChained) {
                        return bad(v, expected, "the record at seq " + expected + " has no chain value, after records that have one",
                                previous);
                    }
                    v.unchainedThrough = expected; // written before the chain existed
                    previous = null;
                } else {
                    String computed = ChainHash.next(previous, r); // after unchained records: from 64 zeros
                    if (!computed.equals(r.chain())) {
                        return bad(v, expected, "the record at seq " + expected + " does not hash to its chain value: it, or"
                                + " the chain before it, was changed", previous);
                    }
                    previous = computed;
                    seenChained = true;
                    String anchor = anchors.get(expected);
                    if (anchor != null) {
                        v.chainAtAnchors.put(expected, computed);
                        if (!anchor.equals(computed)) {
                            return bad(v, expected, "the chain at seq " + expected + " is not the one a sealed checkpoint or the"
                                    + " receipt holds: a record up to there was changed (and the chain values after it recomputed)",
                                    previous);
                        }
                    }
                }
                expected++;
            }
        }
        v.chain = previous;
        return v;
    }

    /** The records from {@code first} on that can be read, one at a time, up to the first that cannot. */
    private EventPage readableRun(StreamKey key, long first, long end) {
        List<EventRecord> readable = new java.util.ArrayList<>();
        for (long seq = first; seq <= end && readable.size() < 1000; seq++) {
            try {
                List<EventRecord> one = log.readPage(key, new ReadSpec(false, seq - 1, seq, 1, 32L * 1024 * 1024, java.util.Set.of()))
                        .events();
                if (one.isEmpty()) {
                    break;
                }
                readable.addAll(one);
            } catch (RuntimeException unreadable) {
                if (isStoreTrouble(unreadable)) {
                    throw unreadable;
                }
                break;
            }
        }
        return new EventPage(readable, 0, first - 1 + readable.size(), false, readable.size());
    }

    /**
     * A failure of the stores rather than of what they hold: out of time, throttled, unreachable, or any
     * error an AWS service answered (a 5xx, SlowDown, access denied) except a missing object, which
     * means a record's object was removed. Only what is not trouble counts against the records.
     */
    static boolean isStoreTrouble(RuntimeException failure) {
        return failure instanceof TimeBudget.OutOfTimeException || failure instanceof StoreBusyException
                || failure instanceof software.amazon.awssdk.core.exception.SdkClientException
                || failure instanceof software.amazon.awssdk.awscore.exception.AwsServiceException
                        && !(failure instanceof software.amazon.awssdk.services.s3.model.NoSuchKeyException);
    }

    private static Verification bad(Verification v, long seq, String problem, String chainBefore) {
        v.firstBad = seq;
        v.problem = problem;
        v.chain = chainBefore;
        return v;
    }
}
