package dev.sessionlog.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Nothing is left in S3 for ever: an append that fails removes the bodies it wrote, and the
 * scheduled run's sweep removes what a crash left (a body or a session state nothing refers to),
 * while everything an item refers to stays.
 */
class OrphanSweepTest {

    private static ObjectNode large(String id, int seed) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", id).set("event", Json.MAPPER.createObjectNode()
                .put("type", "Note").put("blob", dev.sessionlog.testing.Events.randomText(seed, 300_000)));
        return body;
    }

    @Test
    void aFailedAppendLeavesNoBodyBehind() {
        RecorderTestSupport t = new RecorderTestSupport();
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-fail");
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-fail/events", large("one", 1)).status());
        ObjectNode stale = large("two", 2);
        stale.put("expected_seq", 0);
        assertEquals(409, t.api.post(tenant, "/v1/sessions/s-fail/events", stale).status());
        assertEquals(200, t.api.post(tenant, "/v1/sessions/s-fail/events", large("one", 1)).status(), "a retry: a duplicate");
        List<String> keys = t.components.payloadStore().keys(key);
        assertEquals(1, keys.size(), "only the stored event's body: " + keys);
        assertTrue(keys.get(0).contains("/one/"));
    }

    @Test
    void theSweepRemovesWhatNothingRefersToAndKeepsTheRest() {
        MutableClock clock = new MutableClock(Instant.now());
        RecorderTestSupport t = new RecorderTestSupport(clock);
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-sweep");
        assertEquals(201, t.api.post(tenant, "/v1/sessions/s-sweep/events", large("kept", 3)).status());
        String kept = t.components.payloadStore().keys(key).get(0);
        // What crashes leave: a body whose append never wrote its item, and a session state no item names.
        String lostBody = t.components.payloadStore().put(key, "never-stored", new byte[] {'{', '}'});
        S3Client s3 = t.aws.embedded().s3();
        String lostState = "sessions/tenant=" + StreamKey.encodeTenant(tenant) + "/session=s-sweep/state-00000000000000000001-x.json.gz";
        s3.putObject(b -> b.bucket(AwsTestResource.BUCKET).key(lostState), RequestBody.fromBytes(new byte[] {1}));

        OrphanSweeper.Report young = t.components.orphanSweeper().sweep(100_000);
        assertTrue(exists(s3, lostBody) && exists(s3, lostState), "younger than the grace period: left alone (" + young + ")");

        clock.set(Instant.now().plus(OrphanSweeper.GRACE).plusSeconds(60));
        OrphanSweeper.Report states = t.components.orphanSweeper().sweep(100_000);
        assertFalse(exists(s3, lostState), states::toString);
        assertTrue(exists(s3, lostBody), "a body waits a day past its item's lifetime: TTL's rescue may still need it");

        clock.set(Instant.now().plus(OrphanSweeper.payloadGrace(t.components.settings().archive().itemLifetime())).plusSeconds(60));
        OrphanSweeper.Report report = t.components.orphanSweeper().sweep(100_000);
        assertTrue(report.removed() >= 1, report::toString);
        assertFalse(exists(s3, lostBody));
        assertTrue(exists(s3, kept), "a body its item refers to stays");
        assertEquals(dev.sessionlog.testing.Events.randomText(3, 300_000),
                t.api.get(tenant, "/v1/sessions/s-sweep/events").body().get("events").get(0).get("event").get("blob").asText());
    }

    @Test
    void theSweepKeepsASessionsFrozenPartsAndRemovesOneItsStateDoesNotName() {
        MutableClock clock = new MutableClock(Instant.now());
        RecorderTestSupport t = new RecorderTestSupport(clock);
        String tenant = RecorderTestSupport.newTenant();
        StreamKey key = new StreamKey(tenant, "s-parts");
        List<com.fasterxml.jackson.databind.JsonNode> events = dev.sessionlog.recorder.AgentRunGenerator.generate(
                dev.sessionlog.recorder.AgentRunGenerator.Config.of("s-parts", 60)).events().stream()
                .map(dev.sessionlog.event.EventRecord::event).toList();
        t.append(tenant, "s-parts", events);
        t.record(tenant, "s-parts");
        String prefix = t.components.sessionStore().statePrefix(key);
        S3Client s3 = t.aws.embedded().s3();
        List<String> parts = s3.listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(prefix)).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
        assertFalse(parts.isEmpty(), "the session keeps its closed loops in parts");
        com.fasterxml.jackson.databind.JsonNode served = t.session(tenant, "s-parts");
        // what a save that lost its race and died before deleting its part leaves
        String lostPart = prefix + "loops-9-deadbeef.json.gz";
        s3.putObject(b -> b.bucket(AwsTestResource.BUCKET).key(lostPart), RequestBody.fromBytes(new byte[] {1}));

        clock.set(Instant.now().plus(OrphanSweeper.GRACE).plusSeconds(60));
        OrphanSweeper.Report report = t.components.orphanSweeper().sweep(100_000);
        assertFalse(exists(s3, lostPart), report::toString);
        parts.forEach(part -> assertTrue(exists(s3, part), part));
        assertEquals(served, t.session(tenant, "s-parts"));
    }

    private static boolean exists(S3Client s3, String key) {
        return !s3.listObjectsV2(b -> b.bucket(AwsTestResource.BUCKET).prefix(key)).contents().isEmpty();
    }
}
