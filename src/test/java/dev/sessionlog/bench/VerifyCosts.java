package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.testing.ApiClient;
import java.util.Locale;

/**
 * Part e: {@code GET /v1/sessions/{id}/verify} recomputes the chain over at most 10,000 records per
 * call (VerifyHandler.MAX_RECORDS), hot and archived, against the sealed checkpoints: its calls and
 * its time per call, so per 10,000 events.
 */
final class VerifyCosts {

    private final BenchStack stack;
    private final LifecycleSessions sessions;
    private final int repeats;

    VerifyCosts(BenchStack stack, LifecycleSessions sessions, Benchmarks.Options options) {
        this.stack = stack;
        this.sessions = sessions;
        this.repeats = options.quick() ? 1 : 3;
    }

    String run(BenchStack.Session halfArchived, BenchStack.Session allHot) {
        Table t = new Table(">session events", "archived", "call", ">records verified", ">DynamoDB calls", "calls by operation",
                ">RCU", ">ms (moto)", ">ms per 10,000 records");
        for (BenchStack.Session s : new BenchStack.Session[] {halfArchived, allHot}) {
            long archived = stack.components.eventLog().archivedThrough(s.key);
            for (int i = 0; i <= repeats; i++) {
                BenchStack.Measured m = stack.measure(
                        () -> sessions.api.get(LifecycleSessions.TENANT, "/v1/sessions/" + s.key.sessionId() + "/verify"), VerifyCosts::check);
                long records = Math.min(s.head, 10_000);
                t.row(String.format(Locale.ROOT, "%,d", s.head), archived == 0 ? "none" : String.format(Locale.ROOT, "seqs 1–%,d", archived),
                        i == 0 ? "first" : "again (" + i + ")", String.format(Locale.ROOT, "%,d", records), m.dynamoCalls(),
                        BenchCalls.breakdown(m.calls()), Table.num(m.cost().rcu(), 0), Table.num(m.nanos() / 1e6, 0),
                        Table.num(m.nanos() / 1e6 * 10_000 / records, 0));
            }
        }
        Benchmarks.progress("lifecycle: verify measured");
        return """
                ### Verify: time per 10,000 events

                `GET /v1/sessions/{id}/verify` through the query function's handler, without parameters: from seq 1, \
                at most 10,000 records per call (a longer session answers `next_from_seq`). Each answer checked: \
                200, `ok` true, no bad seq. The half-archived session is the fork section's source (its archived \
                records come from S3 objects, its checkpoints from the Object Lock bucket on moto's S3); the all-hot \
                one is the newest-first section's long session (first 10,000 records). "first" is the first call on \
                that session in this JVM; "again" repeats it (decoded archive objects are cached by key and ETag). \
                Time on moto and S3Proxy; S3 calls shown as S3.<operation>.

                """ + t.render() + "\n";
    }

    private static void check(ApiClient.Response r) {
        JsonNode b = r.body();
        if (r.status() != 200 || !b.path("ok").asBoolean(false) || !b.path("first_bad_seq").isMissingNode() && !b.path("first_bad_seq").isNull()) {
            throw new IllegalStateException("verify answered " + r.status() + " " + b);
        }
    }
}
