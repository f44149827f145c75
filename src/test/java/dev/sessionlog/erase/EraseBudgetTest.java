package dev.sessionlog.erase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finding 2: the erasure of a source whose fork inherited many events copies them within each run's
 * budget, resuming where the last run stopped, and a session marked after it is not held up.
 */
class EraseBudgetTest {

    private static final int INHERITED = 300;

    @Test
    void aLargeForkCopyFinishesAcrossRunsEachWithinItsBudgetAndOthersAreErasedMeanwhile() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
        Settings settings = AwsTestResource.settings().withArchive(ArchiveSettings.defaults().withSegmentMaxEvents(10));
        RecorderTestSupport t = new RecorderTestSupport(clock, settings);
        String tenant = RecorderTestSupport.newTenant();
        // The erasure queue is the table's: sessions other test classes marked and left (retention
        // sweeps mark every old session) are erased first, so that the runs below hold only this test's.
        Instant start = clock.instant();
        clock.set(start.plus(Eraser.GRACE).plusSeconds(5));
        for (int drain = 0; drain < 20 && t.components.eraser(Eraser.CrashPoints.NONE).run().waiting() > 0; drain++) {
            clock.advance(Duration.ofMinutes(1));
        }
        clock.set(start);
        for (int from = 0; from < INHERITED; from += 100) {
            ok(t.api.post(tenant, "/v1/sessions/big/events", EraseApiTest.notes("b" + from + "-", 100, 0, null, null)));
        }
        ok(t.api.post(tenant, "/v1/sessions/big/fork", Json.MAPPER.createObjectNode().put("new_session_id", "big-fork")));
        ok(t.api.post(tenant, "/v1/sessions/big-fork/events", EraseApiTest.notes("own-", 2, 0, null, null)));
        ok(t.api.post(tenant, "/v1/sessions/small/events", EraseApiTest.notes("s-", 3, 0, null, null)));
        List<JsonNode> forkBefore = t.readAll(tenant, "big-fork", 1000);
        assertEquals(INHERITED + 2, forkBefore.size());

        ok(t.api.delete(tenant, "/v1/sessions/big"));
        clock.advance(Duration.ofSeconds(1));
        ok(t.api.delete(tenant, "/v1/sessions/small"));
        clock.advance(Eraser.GRACE.plusSeconds(5));

        Eraser eraser = t.components.eraser(Eraser.CrashPoints.NONE);
        Duration budget = settings.archive().runBudget();
        Duration tick = Duration.ofSeconds(10);
        List<Long> copiedPerRun = new ArrayList<>();
        clock.tickEachReading(tick);
        int runs = 0;
        while (!t.components.eventLog().isErased(new StreamKey(tenant, "big")) && runs < 30) {
            Instant started = clock.instant();
            Eraser.Report report = eraser.run();
            Duration took = Duration.between(started, clock.instant());
            runs++;
            copiedPerRun.add(report.eventsCopied());
            // a run may finish the step it is in when its time is up (one page: a few readings of the clock)
            assertTrue(took.compareTo(budget.plus(tick.multipliedBy(8))) <= 0, "run " + runs + " took " + took + " of " + budget);
            if (runs == 1) {
                assertTrue(t.components.eventLog().isErased(new StreamKey(tenant, "small")),
                        "the session marked after the big one is erased in the first run, not held up by it");
                assertFalse(t.components.eventLog().isErased(new StreamKey(tenant, "big")), "the big copy needs more than one run");
            }
            clock.tickEachReading(Duration.ZERO);
            clock.advance(Duration.ofMinutes(1)); // the next scheduled run
            clock.tickEachReading(tick);
        }
        clock.tickEachReading(Duration.ZERO);
        assertTrue(runs > 2, "the copy took several runs: " + copiedPerRun);
        assertTrue(t.components.eventLog().isErased(new StreamKey(tenant, "big")), "erased after " + runs + " runs: " + copiedPerRun);
        assertEquals(INHERITED, copiedPerRun.stream().mapToLong(Long::longValue).sum(),
                "each run went on where the last stopped, copying no event twice: " + copiedPerRun);
        assertEquals(forkBefore, t.readAll(tenant, "big-fork", 1000), "the fork reads the same events from its own copy");
    }

    private static void ok(ApiClient.Response r) {
        assertTrue(r.status() / 100 == 2, r.status() + " " + r.body());
    }
}
