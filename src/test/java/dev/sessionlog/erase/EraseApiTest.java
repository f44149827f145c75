package dev.sessionlog.erase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.ArchiveSettings;
import dev.sessionlog.chain.SessionNames;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.Tombstones;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Events;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * DELETE /v1/sessions/{id} on moto and S3Proxy: a session with forks (and a fork of a fork), children
 * in other sessions, large bodies, a state kept in S3 and archive objects is erased until no key of
 * either table or the bucket names it, while its forks and every other session read back unchanged;
 * a crash after any step still ends there, and nothing erased comes back.
 */
class EraseApiTest {

    static final Instant OLD = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    /** Attributes by which other sessions refer to an erased one: their own data, which stays. */
    static final Set<String> REFERENCES = Set.of("parent_session_id", "parent_key", "forked_from", "lineage", "fork_key", "state");

    @AfterAll
    static void releaseTheStore() {
        AwsTestResource.resetDynamo();
    }

    /** A victim session and everything around it, each in a tenant of its own. */
    static final class Scenario {
        final MutableClock clock = new MutableClock(OLD);
        final RecorderTestSupport t;
        final String tenant = RecorderTestSupport.newTenant();
        final String victim = "victim";
        final List<String> others = List.of("fork-1", "fork-2", "child-side", "bystander");
        final Map<String, Object> before = new LinkedHashMap<>();
        List<StreamRecord> lateRecords;

        Scenario(int events) {
            Settings settings = AwsTestResource.settings().withArchive(ArchiveSettings.defaults().withSegmentMaxEvents(20));
            t = new RecorderTestSupport(clock, settings);
            ok(append(victim, bigLoop(victim, 12, 40_000)));        // a state too large for an item: kept in S3
            ok(append("bystander", notes("b-", 5, 0, null, null)));
            ok(append(victim, notes("v-", events, 0, null, null)));
            ok(append(victim, notes("large-", 2, 500_000, null, null))); // bodies kept in S3
            ok(append(victim, notes("to-bystander-", 1, 0, "b-1", "bystander"))); // a child of another session's event
            clock.set(NOW);
            ok(append(victim, notes("hot-", 10, 0, null, null)));
            long head = t.api.get(tenant, "/v1/sessions/" + victim + "/head").body().get("head_seq").asLong();
            ok(fork(victim, "fork-1", head - 20));
            ok(fork("fork-1", "fork-2", head - 30));
            ok(append("fork-1", notes("f1-", 3, 0, null, null)));
            ok(append("child-side", notes("c-", 3, 0, "v-2", victim)));     // children of the victim's event
            for (String s : List.of(victim, "fork-1", "fork-2", "child-side", "bystander")) {
                t.record(tenant, s);
            }
            t.components.archiver().archive(key(victim), NOW.minus(Duration.ofHours(24)));
            assertTrue(t.components.eventLog().archivedThrough(key(victim)) >= 20, "the victim has archive objects");
            assertFalse(objectsNaming(victim).isEmpty());
            assertFalse(itemsNaming(victim).isEmpty(), "the check below sees the victim's items while they are there");
            for (String s : others) {
                before.put(s, snapshot(s));
            }
            lateRecords = t.records(tenant, victim);
        }

        StreamKey key(String session) {
            return new StreamKey(tenant, session);
        }

        ApiClient.Response append(String session, ObjectNode body) {
            return t.api.post(tenant, "/v1/sessions/" + session + "/events", body);
        }

        ApiClient.Response fork(String source, String id, long at) {
            return t.api.post(tenant, "/v1/sessions/" + source + "/fork",
                    Json.MAPPER.createObjectNode().put("new_session_id", id).put("at_seq", at));
        }

        /** What a reader of a session sees: its events, head, materialized session and the children of its first event. */
        Map<String, JsonNode> snapshot(String session) {
            Map<String, JsonNode> s = new LinkedHashMap<>();
            s.put("events", Json.MAPPER.valueToTree(t.readAll(tenant, session, 1000)));
            s.put("head", t.api.get(tenant, "/v1/sessions/" + session + "/head").body());
            ObjectNode served = t.session(tenant, session).deepCopy();
            served.remove("archived_through_seq"); // a fork's may change: it holds its own copy afterwards
            s.put("session", served);
            return s;
        }

        Eraser.Report erase(Eraser.CrashPoints crashPoints) {
            clock.set(clock.instant().plus(Eraser.GRACE).plusSeconds(1));
            return t.components.eraser(crashPoints).run();
        }

        /** Archive bucket keys that name a session. */
        List<String> objectsNaming(String session) {
            List<String> keys = new ArrayList<>();
            String token = null;
            do {
                String from = token;
                ListObjectsV2Response r = t.aws.embedded().s3().listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET)
                        .prefix("").continuationToken(from));
                r.contents().stream().map(S3Object::key).filter(k -> k.contains("session=" + session + "/")
                        && k.contains(StreamKey.encodeTenant(tenant))).forEach(keys::add);
                token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
            } while (token != null);
            return keys;
        }

        /** Items of either table that name the victim other than as another session's reference to it. */
        List<String> itemsNaming(String session) {
            List<String> found = new ArrayList<>();
            String pk = key(session).pk();
            for (String table : List.of(t.aws.table("EventsTable"), t.aws.table("SessionsTable"))) {
                Map<String, AttributeValue> start = null;
                do {
                    Map<String, AttributeValue> from = start;
                    ScanResponse r = t.aws.embedded().dynamo().scan(b -> b.tableName(table).exclusiveStartKey(from));
                    for (Map<String, AttributeValue> item : r.items()) {
                        String itemPk = item.get("pk").s();
                        if (itemPk.equals(pk)) {
                            found.add(table + " " + itemPk + " seq " + item.get("seq"));
                            continue;
                        }
                        if (!itemPk.startsWith(StreamKey.encodeTenant(tenant) + "#")) {
                            continue; // another tenant's, or a tombstone (a hash)
                        }
                        item.forEach((name, value) -> {
                            if (value.s() != null && value.s().contains(session) && !REFERENCES.contains(name)) {
                                found.add(table + " " + itemPk + " seq " + item.get("seq") + ": " + name + "=" + value.s());
                            }
                        });
                    }
                    start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
                } while (start != null);
            }
            return found;
        }

        void assertErasedAndOthersWhole() {
            assertEquals(List.of(), itemsNaming(victim));
            assertEquals(List.of(), objectsNaming(victim));
            assertTrue(t.components.eventLog().isErased(key(victim)), "the tombstone is there");
            assertEquals(410, t.api.send("DELETE", tenant, "/v1/sessions/" + victim, null).status());
            ApiClient.Response append = append(victim, notes("after-", 1, 0, null, null));
            assertEquals(410, append.status());
            assertEquals("session_erased", append.error().get("code").asText());
            assertEquals(404, t.api.get(tenant, "/v1/sessions/" + victim + "/events").status());
            for (String s : others) {
                assertEquals(before.get(s), snapshot(s), s + " reads back unchanged");
            }
            // the forks read what they inherited from their own copy now
            assertFalse(objectsNaming("fork-1").isEmpty());
        }
    }

    static void ok(ApiClient.Response r) {
        assertTrue(r.status() == 200 || r.status() == 201, () -> r.status() + " " + r.body());
    }

    static ObjectNode notes(String prefix, int count, int bytes, String parent, String parentSession) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (int i = 1; i <= count; i++) {
            ObjectNode e = body.withArray("events").addObject().put("event_id", prefix + i);
            if (parent != null) {
                e.put("parent_event_id", parent).put("parent_session_id", parentSession);
            }
            ObjectNode event = e.putObject("event").put("type", i % 3 == 0 ? "TurnEnd" : "Note").put("n", i);
            if (bytes > 0) {
                event.put("blob", Events.randomText(i, bytes));
            }
        }
        return body;
    }

    /** A loop whose messages are large and incompressible: its session's state is kept in S3. */
    static ObjectNode bigLoop(String session, int messages, int bytes) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        String loop = session + ".m.0";
        body.withArray("events").addObject().put("event_id", "start").set("event", Json.MAPPER.createObjectNode()
                .put("type", "AgentStart").put("agent_id", "a").put("session_id", session).put("loop_id", loop)
                .put("timestamp", "2026-11-01T10:00:00Z"));
        body.withArray("events").addObject().put("event_id", "turn").set("event", Json.MAPPER.createObjectNode()
                .put("type", "TurnStart").put("loop_id", loop).put("turn_index", 0).put("timestamp", "2026-11-01T10:00:01Z")
                .put("triggered_by", "User"));
        for (int i = 0; i < messages; i++) {
            ObjectNode e = Json.MAPPER.createObjectNode().put("type", "MessageEnd").put("loop_id", loop);
            ObjectNode message = e.putObject("message").put("role", "user").put("timestamp", 1795255200000L + i);
            message.putArray("content").addObject().put("type", "text").put("text", Events.randomText(i, bytes));
            body.withArray("events").addObject().put("event_id", "m-" + i).set("event", e);
        }
        return body;
    }

    @Test
    void aSessionIsGoneEverywhereWhileItsForksAndOthersStayWhole() {
        Scenario s = new Scenario(90);
        String base = "/v1/sessions/" + s.victim;
        assertEquals(1, s.t.api.get(s.tenant, "/v1/sessions/bystander/events/b-1/children").body().get("children").size());

        ApiClient.Response first = s.t.api.send("DELETE", s.tenant, base, null);
        assertEquals(202, first.status(), first.body()::toString);
        assertEquals("{\"session_id\":\"victim\",\"status\":\"erasing\"}", Json.write(first.body()));
        assertEquals(202, s.t.api.send("DELETE", s.tenant, base, null).status(), "again while it runs");
        // from the first 202 on, every route that names it answers 404, and appends 409
        for (String path : List.of(base, base + "/events", base + "/events?order=desc", base + "/head", base + "/loops/victim.m.0",
                base + "/events/v-2/children", base + "/verify")) {
            assertEquals(404, s.t.api.get(s.tenant, path).status(), path);
        }
        assertEquals(404, s.fork(s.victim, "late-fork", 3).status());
        ApiClient.Response refused = s.append(s.victim, notes("late-", 1, 0, null, null));
        assertEquals(409, refused.status());
        assertEquals("session_erasing", refused.error().get("code").asText());
        JsonNode listed = s.t.api.get(s.tenant, "/v1/sessions").body().get("sessions");
        listed.forEach(session -> assertNotEquals(s.victim, session.get("session_id").asText()));
        assertEquals(0, s.t.api.get(s.tenant, "/v1/sessions/bystander/events/b-1/children").body().get("children").size(),
                "another session's children listing drops it at once");

        // not before the grace period: a fold in flight when the mark was made has ended by then
        assertEquals(0, s.t.components.eraser(Eraser.CrashPoints.NONE).run().marked());
        Eraser.Report report = s.erase(Eraser.CrashPoints.NONE);
        assertEquals(1, report.erased(), report::toString);
        assertTrue(report.eventsCopied() > 0, "fork-1 got its own copy of what it inherited");
        s.assertErasedAndOthersWhole();

        // nothing comes back: late stream records, a replayed failure, the archiver, a rebuild
        assertEquals(List.of(), s.t.components.streamRecorder().record(s.lateRecords));
        s.t.components.archiver().run();
        s.t.components.streamRecorder().rebuild(s.key(s.victim));
        assertEquals(0, s.erase(Eraser.CrashPoints.NONE).marked());
        s.assertErasedAndOthersWhole();
        // the id is not used again, and a fork cannot take it
        assertEquals(410, s.fork("bystander", s.victim, 1).status());
        // the sealed record of the erasure: the keyed name, the last seq and chain
        String name = new SessionNames(AwsTestResource.settings().checkpointKey()).of(s.key(s.victim));
        JsonNode sealed = Json.parse(s.t.aws.embedded().checkpointS3().getObjectAsBytes(b -> b.bucket(AwsTestResource.CHECKPOINT_BUCKET)
                .key("erasures/" + name + ".json")).asByteArray());
        assertEquals(name, sealed.get("session_hash").asText());
        assertTrue(sealed.get("last_chain").asText().matches("[0-9a-f]{64}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"leased", "fork-copied", "objects-deleted", "session-deleted", "items-deleted", "tombstoned"})
    void aCrashAfterAnyStepEndsTheSameOnTheNextRun(String point) {
        Scenario s = new Scenario(40);
        assertEquals(202, s.t.api.send("DELETE", s.tenant, "/v1/sessions/" + s.victim, null).status());
        AtomicBoolean crashed = new AtomicBoolean();
        try {
            s.erase(reached -> {
                if (reached.equals(point) && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("crash at " + point);
                }
            });
        } catch (IllegalStateException expected) {
            // the run reports the session it could not finish
        }
        assertTrue(crashed.get(), "the run reached " + point);
        assertEquals(404, s.t.api.get(s.tenant, "/v1/sessions/" + s.victim + "/events").status(), "readers see nothing meanwhile");
        // the lease of the crashed run lapses; the next run finishes
        s.clock.set(s.clock.instant().plus(ArchiveSettings.defaults().lease()).plusSeconds(1));
        assertEquals(1, s.erase(Eraser.CrashPoints.NONE).erased());
        assertEquals(List.of(), s.t.components.streamRecorder().record(s.lateRecords));
        s.assertErasedAndOthersWhole();
    }

    @Test
    void anAppendRacingTheDeleteLandsBeforeItOrIsRefused() throws Exception {
        Scenario s = new Scenario(10);
        List<Long> landed = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Integer> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; !stop.get() && i < 200; i++) {
                    ApiClient.Response r = s.append(s.victim, notes("race-" + writer + "-" + i + "-", 1, 0, null, null));
                    if (r.status() == 201) {
                        landed.add(r.body().get("events").get(0).get("seq").asLong());
                    } else {
                        refused.add(r.status());
                    }
                }
            }));
        }
        Thread.sleep(200);
        assertEquals(202, s.t.api.send("DELETE", s.tenant, "/v1/sessions/" + s.victim, null).status());
        Thread.sleep(200);
        stop.set(true);
        writers.forEach(CompletableFuture::join);
        assertFalse(refused.isEmpty(), "appends after the DELETE are refused");
        assertTrue(refused.stream().allMatch(status -> status == 409), refused::toString);
        s.erase(Eraser.CrashPoints.NONE);
        long lastErased = Long.parseLong(s.t.aws.embedded().dynamo().getItem(b -> b.tableName(s.t.aws.table("EventsTable"))
                .key(Tombstones.key(s.key(s.victim)))).item().get(Tombstones.LAST_SEQ).n());
        assertTrue(landed.stream().allMatch(seq -> seq <= lastErased), () -> "every append that landed was erased with the rest: "
                + landed + " vs last erased seq " + lastErased);
        s.assertErasedAndOthersWhole();
    }

    @Test
    void deleteOfASessionThatNeverExistedIs404() {
        RecorderTestSupport t = new RecorderTestSupport();
        ApiClient.Response r = t.api.send("DELETE", RecorderTestSupport.newTenant(), "/v1/sessions/never-was", null);
        assertEquals(404, r.status());
        assertEquals("session_not_found", r.error().get("code").asText());
    }
}
