package dev.sessionlog.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.function.ScheduledWork;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The scheduled run: each session's work stands alone. A session whose state cannot be read (its
 * object is gone) must not stop the idle sweep of the others, nor archival of anyone.
 */
class ScheduledIsolationTest {

    @Test
    void aSessionThatCannotBeLoadedStopsNeitherTheOtherIdleSessionsNorArchival() {
        Instant then = Instant.now().minus(Duration.ofDays(3));
        MutableClock clock = new MutableClock(then);
        RecorderTestSupport t = new RecorderTestSupport(clock);
        String brokenTenant = RecorderTestSupport.newTenant();
        String fineTenant = RecorderTestSupport.newTenant();
        for (String tenant : new String[] {brokenTenant, fineTenant}) {
            t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json").subList(0, 4)); // its loop stays open
            t.record(tenant, "s-tool");
        }
        // The broken session's state now points at an object that is not there.
        StreamKey broken = new StreamKey(brokenTenant, "s-tool");
        t.aws.embedded().dynamo().updateItem(b -> b.tableName(t.aws.table("SessionsTable"))
                .key(Map.of("pk", AttributeValue.fromS(broken.pk())))
                .updateExpression("SET state_ref = :r REMOVE state_gz")
                .expressionAttributeValues(Map.of(":r", AttributeValue.fromS("sessions/gone.json.gz"))));

        clock.set(Instant.now());
        ScheduledWork.RunSummary run = t.components.scheduledWork().run();
        assertTrue(run.idleSessionsClosed() >= 1, run::toString);
        assertTrue(run.sessionsDue() >= 1, "archival ran after the failed session: " + run);
        assertEquals(java.util.List.of(), run.failedParts());
        // (The shared table may hold older due sessions of other tests; this one's turn may come in a later run.)
        t.components.archiver().archive(broken, clock.instant().minus(Duration.ofHours(24)));
        t.record(fineTenant, "s-tool");
        assertEquals("completed", t.session(fineTenant, "s-tool").get("status").asText());
        assertTrue(t.components.archiveMeta().load(broken).archivedThrough() >= 4, "the broken session's events were archived too");
    }
}
