package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.log.dynamo.DynamoEventLog;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.sessions.TenantRequestRate;
import dev.sessionlog.sessions.WaitSlots;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Finding 5: what one tenant can hold or spend at once is a bounded share of what all tenants share. */
class TenantLimitsTest {

    @Test
    void aTenantPastItsRequestsASecondIs429AndOthersGoOnWithFewWrites() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings()
                .withTenantLimits(new TenantLimits(10, 2, 50)), true);
        String busy = RecorderTestSupport.newTenant();
        String quiet = RecorderTestSupport.newTenant();
        AwsCalls.reset();
        int ok = 0;
        ApiClient.Response refused = null;
        for (int i = 0; i < 80; i++) {
            ApiClient.Response r = t.api.get(busy, "/v1/sessions");
            if (r.status() == 200) {
                ok++;
            } else if (refused == null) {
                refused = r;
            }
        }
        assertEquals(50, ok, "one instance admits exactly the limit in a second");
        assertEquals(429, refused.status());
        assertEquals("throttled", refused.error().get("code").asText());
        assertEquals("1", refused.headers().get("retry-after"));
        long counterWrites = AwsCalls.calls("dynamodb").stream().filter(c -> c.operation().equals("UpdateItem")).count();
        assertTrue(counterWrites <= 50 / 5 + 2, "a write per chunk of requests, not per request: " + counterWrites);
        assertEquals(200, t.api.get(quiet, "/v1/sessions").status(), "another tenant is not held back");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, t.api.get(busy, "/v1/sessions").status(), "the next second admits the tenant again");
    }

    @Test
    void instancesShareTheTenantsCountThroughTheTable() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T11:00:00Z"));
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        String table = t.aws.table("SessionsTable");
        TenantRequestRate a = new TenantRequestRate(t.aws.embedded().dynamo(), table, clock, 40);
        TenantRequestRate b = new TenantRequestRate(t.aws.embedded().dynamo(), table, clock, 40);
        int admitted = 0;
        for (int i = 0; i < 60; i++) {
            try {
                (i % 2 == 0 ? a : b).admit(tenant);
                admitted++;
            } catch (TenantRequestRate.OverLimitException over) {
                // past the limit
            }
        }
        // two instances can overshoot by at most a chunk (a tenth of the limit) each
        assertTrue(admitted >= 40 && admitted <= 40 + 2 * 4, "admitted " + admitted + " of a limit of 40");
    }

    /** Instances that each see fewer than a chunk a second still add up: nothing is dropped at a second's end. */
    @Test
    void manyInstancesBelowAChunkEachAreStillLimited() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-21T12:00:00Z"));
        RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        java.util.List<TenantRequestRate> instances = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            instances.add(new TenantRequestRate(t.aws.embedded().dynamo(), t.aws.table("SessionsTable"), clock, 50));
        }
        int refused = 0;
        for (int second = 0; second < 4; second++) {
            for (TenantRequestRate instance : instances) {
                for (int r = 0; r < 3; r++) { // 90 a second in all, 3 on each instance: under its chunk of 5
                    try {
                        instance.admit(tenant);
                    } catch (TenantRequestRate.OverLimitException over) {
                        refused++;
                    }
                }
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertTrue(refused > 0, "90 requests a second against a limit of 50 are refused in part");
    }

    @Test
    void aTenantsVerifyCallsAtOnceAreBounded() {
        RecorderTestSupport t = new RecorderTestSupport(Clock.systemUTC(), AwsTestResource.settings());
        String tenant = RecorderTestSupport.newTenant();
        assertEquals(201, t.api.post(tenant, "/v1/sessions/v/events", "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}").status());
        WaitSlots verifies = new WaitSlots(t.aws.embedded().dynamo(), t.aws.table("SessionsTable"), Clock.systemUTC(),
                TenantLimits.LOCAL.maxVerifies(), "verify");
        // two verify calls of this tenant are running (held by other instances)
        assertTrue(verifies.acquire(tenant, "running-1", Instant.now().plusSeconds(30)));
        assertTrue(verifies.acquire(tenant, "running-2", Instant.now().plusSeconds(30)));
        ApiClient.Response third = t.api.get(tenant, "/v1/sessions/v/verify");
        assertEquals(429, third.status(), third.body()::toString);
        assertTrue(third.error().get("message").asText().contains("2 verify calls"), third.body()::toString);
        String other = RecorderTestSupport.newTenant();
        assertEquals(201, t.api.post(other, "/v1/sessions/v/events", "{\"events\":[{\"event\":{\"type\":\"Note\"}}]}").status());
        assertEquals(200, t.api.get(other, "/v1/sessions/v/verify").status(), "another tenant verifies meanwhile");
        verifies.release(tenant, "running-1");
        assertEquals(200, t.api.get(tenant, "/v1/sessions/v/verify").status());
        assertEquals(200, t.api.get(tenant, "/v1/sessions/v/verify").status(), "a finished verify gives its slot back");
    }

    @Test
    void oneChildrenPageReadsTheHeadsOfAHundredSessionsAtMost() {
        RecorderTestSupport t = new RecorderTestSupport(Clock.systemUTC(), AwsTestResource.settings(), true);
        String tenant = RecorderTestSupport.newTenant();
        assertEquals(201, t.api.post(tenant, "/v1/sessions/root/events",
                "{\"events\":[{\"event_id\":\"spawn\",\"event\":{\"type\":\"Note\"}}]}").status());
        int sessions = DynamoEventLog.MAX_CHILD_SESSIONS_PER_PAGE + 30;
        for (int i = 0; i < sessions; i++) {
            assertEquals(201, t.api.post(tenant, "/v1/sessions/child-" + i + "/events", "{\"events\":[{\"parent_event_id\":\"spawn\","
                    + "\"parent_session_id\":\"root\",\"event\":{\"type\":\"Note\"}}]}").status());
        }
        Set<String> seen = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            AwsCalls.reset();
            ApiClient.Response page = t.api.get(tenant, "/v1/sessions/root/events/spawn/children?limit=1000"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.status(), page.body()::toString);
            long headQueries = AwsCalls.calls("dynamodb").stream().filter(c -> c.operation().equals("Query")).count();
            assertTrue(headQueries <= DynamoEventLog.MAX_CHILD_SESSIONS_PER_PAGE + 3, "queries in one call: " + headQueries);
            for (JsonNode c : page.body().get("children")) {
                assertTrue(seen.add(c.get("session_id").asText()), "each child once");
            }
            cursor = page.body().get("next_cursor").isNull() ? null : page.body().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertEquals(sessions, seen.size(), "every child is found across the pages");
        assertTrue(pages >= 2);
    }

    @Test
    void limitsAreAFractionOfThePool() {
        assertTrue(TenantLimits.DEFAULTS.maxWaits() * 5 <= 50, "a fifth of the tail function's reserved executions");
        assertTrue(TenantLimits.DEFAULTS.requestsPerSecond() * 10 <= 1000, "a tenth of the stage's 1,000 requests a second");
        assertTrue(TenantLimits.DEFAULTS.maxVerifies() <= 2);
    }
}
