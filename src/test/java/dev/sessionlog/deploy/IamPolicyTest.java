package dev.sessionlog.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.archive.OrphanSweeper;
import dev.sessionlog.erase.Eraser;
import dev.sessionlog.event.Json;
import dev.sessionlog.follow.FollowSocketHandler;
import dev.sessionlog.follow.WebSocketEvent;
import dev.sessionlog.function.Settings;
import dev.sessionlog.function.StreamEventHandler;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.sessions.TenantRequestRate;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Least privilege, proven: each function's code paths run against moto and S3Proxy with
 * every SDK call recorded; every action it performs must be allowed by that function's policy in
 * template.yaml, and every action the policy grants must have been used.
 */
class IamPolicyTest {

    static final Instant LONG_AGO = Instant.parse("2026-11-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    static final CloudFormationTemplate TEMPLATE = CloudFormationTemplate.load();
    static final Map<String, String> TABLES = IamGrant.tables();
    static final String TABLE_SESSIONS = AwsTestResource.aws().table("SessionsTable");

    static final MutableClock CLOCK = new MutableClock(LONG_AGO);
    static RecorderTestSupport setup;
    static RecorderTestSupport subject;
    static String tenant;

    static Settings settings() {
        return AwsTestResource.settings();
    }

    @BeforeAll
    static void wiring() {
        setup = new RecorderTestSupport(CLOCK, settings(), false);
        subject = new RecorderTestSupport(CLOCK, settings(), true);
        tenant = RecorderTestSupport.newTenant();
    }

    private static ObjectNode note(int n, int bytes) {
        byte[] noise = new byte[bytes];
        new Random(n).nextBytes(noise);
        return Json.MAPPER.createObjectNode().put("type", "Note").put("n", n).put("blob", Base64.getEncoder().encodeToString(noise));
    }

    private static ObjectNode batch(String prefix, int from, int to, int bytes, String parent) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (int i = from; i < to; i++) {
            ObjectNode e = body.withArray("events").addObject().put("event_id", prefix + i);
            if (parent != null) {
                e.put("parent_event_id", parent);
            }
            e.set("event", note(i, bytes));
        }
        return body;
    }

    /** A loop whose messages are large and incompressible: its session's state is kept in S3. */
    private static ObjectNode bigLoop(String session, int messages, int bytes) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        String loop = session + ".m.0";
        body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "AgentStart")
                .put("agent_id", "a").put("session_id", session).put("loop_id", loop).put("timestamp", "2026-11-01T10:00:00Z"));
        body.withArray("events").addObject().set("event", Json.MAPPER.createObjectNode().put("type", "TurnStart")
                .put("loop_id", loop).put("turn_index", 0).put("timestamp", "2026-11-01T10:00:01Z").put("triggered_by", "User"));
        for (int i = 0; i < messages; i++) {
            ObjectNode e = Json.MAPPER.createObjectNode().put("type", "MessageEnd").put("loop_id", loop);
            ObjectNode message = e.putObject("message").put("role", "user").put("timestamp", 1795255200000L + i);
            message.putArray("content").addObject().put("type", "text").put("text", note(i, bytes).get("blob").asText());
            body.withArray("events").addObject().set("event", e);
        }
        return body;
    }

    private static Set<IamGrant> recorded() {
        Set<IamGrant> grants = new LinkedHashSet<>();
        AwsCalls.calls().forEach(c -> grants.addAll(IamGrant.of((software.amazon.awssdk.core.SdkRequest) c.request(), TABLES)));
        return grants;
    }

    private static void assertLeastPrivilege(String function, Set<IamGrant> used) {
        List<TemplatePolicies.Statement> policy = TemplatePolicies.of(TEMPLATE, function);
        Set<String> denied = new TreeSet<>();
        for (IamGrant g : used) {
            if (policy.stream().noneMatch(s -> s.allows(g))) {
                denied.add(g.action() + " " + g.resource());
            }
        }
        Set<String> unused = new TreeSet<>();
        for (TemplatePolicies.Statement s : policy) {
            if (s.usedByLambdaItself()) {
                // Lambda writes the recorder's failed batches with the function's role: no SDK call of ours to record
                assertTrue(s.resources().stream().allMatch(r -> r.startsWith("RecorderFailureBucket")), s::toString);
                continue;
            }
            for (String action : s.actions()) {
                for (String resource : s.resources()) {
                    List<String> prefixes = s.listPrefixes().isEmpty() ? java.util.Collections.singletonList(null) : s.listPrefixes();
                    for (String prefix : prefixes) {
                        boolean usedOnce = used.stream().anyMatch(g -> g.action().equals(action)
                                && TemplatePolicies.matches(resource, g.resource())
                                && (prefix == null || g.listPrefix() != null && TemplatePolicies.matches(prefix, g.listPrefix())));
                        if (!usedOnce) {
                            unused.add(action + " " + resource + (prefix == null ? "" : " (s3:prefix " + prefix + ")"));
                        }
                    }
                }
            }
            if (s.actions().contains("s3:ListBucket") || s.actions().contains("s3:ListBucketVersions")) {
                assertTrue(!s.listPrefixes().isEmpty(), function + " may list the whole bucket: its listing needs an s3:prefix condition");
            }
        }
        assertEquals(Set.of(), denied, function + " performs actions its policy does not allow");
        assertEquals(Set.of(), unused, function + "'s policy grants actions it never performs");
    }

    @Test
    void appendFunction() {
        String s = "iam-append";
        // a recorded session whose items have all expired: the head is read from the archive item and
        // the recorder's progress (the session's item), so that no seq TTL took is used again
        CLOCK.set(LONG_AGO);
        assertEquals(201, setup.api.post(tenant, "/v1/sessions/" + s + "-expired/events", batch("x-", 0, 1, 10, null)).status());
        setup.record(tenant, s + "-expired");
        AwsCalls.reset();
        CLOCK.set(NOW);
        assertEquals(201, subject.api.post(tenant, "/v1/sessions/" + s + "-expired/events", batch("x-", 1, 2, 10, null)).status());
        assertEquals(201, subject.api.post(tenant, "/v1/sessions/" + s + "/events", batch("a-", 0, 1, 10, null)).status());
        ObjectNode expected = batch("a-", 1, 5, 10, null);
        expected.put("expected_seq", 1);
        assertEquals(201, subject.api.post(tenant, "/v1/sessions/" + s + "/events", expected).status());
        assertEquals(200, subject.api.post(tenant, "/v1/sessions/" + s + "/events", expected).status());
        assertEquals(201, subject.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-", 0, 1, 600_000, null)).status());
        // A large body whose append fails (expected_seq is stale) is removed again: nothing refers to it.
        ObjectNode stale = batch("late-", 0, 1, 600_000, null);
        stale.put("expected_seq", 1);
        assertEquals(409, subject.api.post(tenant, "/v1/sessions/" + s + "/events", stale).status());
        // a fork, its identical retry, and an erasure of a recorded session (it leaves the lists at once)
        ObjectNode fork = Json.MAPPER.createObjectNode().put("new_session_id", s + "-fork").put("at_seq", 3);
        assertEquals(201, subject.api.post(tenant, "/v1/sessions/" + s + "/fork", fork).status());
        assertEquals(200, subject.api.post(tenant, "/v1/sessions/" + s + "/fork", fork).status());
        setup.record(tenant, s);
        assertEquals(202, subject.api.send("DELETE", tenant, "/v1/sessions/" + s, null).status());
        // On AWS every API request is counted against its tenant's TenantRequestsPerSecond; the tests run
        // without that limit, so the count's write is made here, as the function's TenantResolver makes it.
        new TenantRequestRate(subject.components.dynamo(), TABLE_SESSIONS, CLOCK, 1).admit(tenant);
        assertLeastPrivilege("AppendFunction", recorded());
    }

    @Test
    void queryFunction() {
        String hot = "iam-query";
        CLOCK.set(LONG_AGO);
        setup.api.post(tenant, "/v1/sessions/" + hot + "/events", batch("q-", 0, 40, 20, null));
        setup.api.post(tenant, "/v1/sessions/" + hot + "/events", batch("k-", 0, 3, 20, "q-1"));
        setup.api.post(tenant, "/v1/sessions/" + hot + "/events", batch("big-", 0, 1, 600_000, null));
        setup.record(tenant, hot);
        CLOCK.set(NOW);
        setup.api.post(tenant, "/v1/sessions/" + hot + "/events", batch("h-", 0, 3, 20, null));
        setup.components.archiver().archive(new StreamKey(tenant, hot), NOW.minus(Duration.ofHours(24)));
        setup.api.post(tenant, "/v1/sessions/" + hot + "/events", batch("big-hot-", 0, 1, 600_000, null));
        // a session big enough that its state is kept in S3
        setup.api.post(tenant, "/v1/sessions/iam-query-big/events", bigLoop("iam-query-big", 12, 40_000));
        setup.record(tenant, "iam-query-big");

        AwsCalls.reset();
        String base = "/v1/sessions/" + hot;
        assertEquals(200, subject.api.get(tenant, base + "/head").status());
        JsonNode children = subject.api.get(tenant, base + "/events/q-1/children").body();
        assertEquals(3, children.get("children").size(), children::toString);
        assertEquals(200, subject.api.get(tenant, base).status());
        assertEquals(200, subject.api.get(tenant, "/v1/sessions/iam-query-big").status());
        assertEquals(404, subject.api.get(tenant, base + "/loops/none").status());
        assertEquals(200, subject.api.get(tenant, "/v1/sessions").status());
        assertEquals(200, subject.api.get(tenant, "/v1/sessions?agent_id=nobody").status());
        assertEquals(200, subject.api.get(tenant, "/v1/sessions?forked_from=" + hot).status());
        assertEquals(201, subject.api.post(tenant, base + "/follow", "").status());
        JsonNode verified = subject.api.get(tenant, base + "/verify").body();
        assertTrue(verified.get("ok").asBoolean(), verified::toString);
        // On AWS every API request is counted against its tenant's TenantRequestsPerSecond; the tests run
        // without that limit, so the count's write is made here, as the function's TenantResolver makes it.
        new TenantRequestRate(subject.components.dynamo(), TABLE_SESSIONS, CLOCK, 1).admit(tenant);
        assertLeastPrivilege("QueryFunction", recorded());
    }

    @Test
    void tailFunction() {
        String s = "iam-tail";
        CLOCK.set(LONG_AGO);
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("t-", 0, 40, 20, null));
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-", 0, 1, 600_000, null));
        setup.record(tenant, s);
        CLOCK.set(NOW);
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("h-", 0, 3, 20, null));
        setup.components.archiver().archive(new StreamKey(tenant, s), NOW.minus(Duration.ofHours(24)));
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-hot-", 0, 1, 600_000, null));

        AwsCalls.reset();
        String base = "/v1/sessions/" + s + "/events";
        JsonNode all = subject.api.get(tenant, base + "?after_seq=0&limit=1000").body();
        assertEquals(45, all.get("events").size(), all::toString);
        assertTrue(all.get("archived_through_seq").asLong() > 0);
        assertEquals(200, subject.api.get(tenant, base + "?order=desc&limit=5&types=Note").status());
        // a live tail at the head: it waits (a slot of the tenant's waits) and answers with nothing new
        assertEquals(0, subject.api.get(tenant, base + "?after_seq=45&wait=1").body().get("events").size());
        // On AWS every API request is counted against its tenant's TenantRequestsPerSecond; the tests run
        // without that limit, so the count's write is made here, as the function's TenantResolver makes it.
        new TenantRequestRate(subject.components.dynamo(), TABLE_SESSIONS, CLOCK, 1).admit(tenant);
        assertLeastPrivilege("TailFunction", recorded());
    }

    @Test
    void followFunction() {
        String s = "iam-follow";
        String token = setup.components.followTickets().issue(dev.sessionlog.follow.FollowTopic.session(new StreamKey(tenant, s))).token();
        AwsCalls.reset();
        FollowSocketHandler handler = subject.components.followSocketHandler();
        assertEquals(200, handler.handle(WebSocketEvent.of("$connect", "iam-connection", token)).statusCode);
        assertEquals(401, handler.handle(WebSocketEvent.of("$connect", "iam-connection-2", token)).statusCode);
        assertEquals(200, handler.handle(WebSocketEvent.of("$default", "iam-connection", null)).statusCode);
        assertLeastPrivilege("FollowFunction", recorded());
    }

    @Test
    void fanOutFunction() {
        String s = "iam-fanout";
        CLOCK.set(NOW);
        StreamKey key = new StreamKey(tenant, s);
        setup.components.subscriptions().add(dev.sessionlog.follow.FollowTopic.session(key), "iam-follower");
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("f-", 0, 3, 20, null));
        List<StreamRecord> records = setup.records(tenant, s);
        assertEquals(202, setup.api.send("DELETE", tenant, "/v1/sessions/" + s, null).status());
        var mark = setup.aws.embedded().dynamo().query(b -> b.tableName(setup.aws.table("EventsTable")).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(key.pk()))))
                .items().stream().filter(item -> item.containsKey("erasing")).findFirst().orElseThrow();
        try (var api = dev.sessionlog.follow.ApiGatewayConnectionsTest.client()) {
            AwsCalls.reset();
            dev.sessionlog.follow.FanOut fanOut = subject.components.fanOut(new dev.sessionlog.follow.ApiGatewayConnections(api));
            // new events pushed, then the erasure's mark: told, closed, unsubscribed
            assertEquals(List.of(), fanOut.push(records));
            assertEquals(List.of(), fanOut.push(List.of(new StreamRecord("mark", "INSERT", mark))));
        }
        assertEquals(List.of(), setup.components.subscriptions().of(dev.sessionlog.follow.FollowTopic.session(key)));
        assertLeastPrivilege("FanOutFunction", recorded());
    }

    @Test
    void recorderFunction() {
        String s = "iam-record";
        CLOCK.set(NOW);
        for (int from = 0; from < 30; from += 10) { // three requests: three items, three stream records
            setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("r-", from, from + 10, 20, null));
        }
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-", 0, 1, 600_000, null));
        List<StreamRecord> records = setup.records(tenant, s);
        StreamEventHandler handler = subject.components.streamEventHandler();

        AwsCalls.reset();
        // a gap first (catch-up from the log), then the rest, twice (large state: S3, then replaced)
        assertEquals(List.of(), subject.components.streamRecorder().record(records.subList(1, 2)));
        assertEquals(List.of(), subject.components.streamRecorder().record(records.subList(2, records.size())));
        // a session whose state outgrows an item (S3), folded twice (the older state object is deleted)
        String big = "iam-record-big";
        setup.api.post(tenant, "/v1/sessions/" + big + "/events", bigLoop(big, 16, 40_000));
        List<StreamRecord> bigRecords = setup.records(tenant, big);
        int half = bigRecords.size() / 2; // incompressible bodies: a few to an item
        assertTrue(half > 0);
        assertEquals(List.of(), subject.components.streamRecorder().record(bigRecords.subList(0, half)));
        assertEquals(List.of(), subject.components.streamRecorder().record(bigRecords.subList(half, bigRecords.size())));
        // a fork, folded from its link: its inherited events read from its source
        setup.api.post(tenant, "/v1/sessions/" + s + "/fork", Json.MAPPER.createObjectNode().put("new_session_id", s + "-fork"));
        assertEquals(List.of(), subject.components.streamRecorder().record(setup.records(tenant, s + "-fork")));
        // and a rebuild, which reads archived events too
        CLOCK.set(NOW.plus(Duration.ofDays(3)));
        setup.components.archiver().archive(new StreamKey(tenant, s), CLOCK.instant().minus(Duration.ofHours(24)));
        subject.components.streamRecorder().rebuild(new StreamKey(tenant, s));
        CLOCK.set(NOW);
        // TTL's deletions: events not archived yet go to the archive (and are adopted), children leave links
        String expiring = "iam-record-ttl";
        setup.api.post(tenant, "/v1/sessions/" + expiring + "/events", batch("x-", 0, 3, 20, null));
        setup.api.post(tenant, "/v1/sessions/" + expiring + "/events", batch("xc-", 0, 2, 20, "x-0"));
        List<StreamRecord> expiringRecords = setup.records(tenant, expiring);
        assertEquals(List.of(), setup.components.streamRecorder().record(expiringRecords));
        assertEquals(List.of(), subject.components.archiveRescue().rescue(expiringRecords.stream()
                .map(r -> new dev.sessionlog.archive.ArchiveRescue.Expired(r.sequenceNumber(), r.newImage())).toList()));
        assertEquals(5, setup.components.archiveMeta().load(new StreamKey(tenant, expiring)).archivedThrough());
        assertTrue(handler != null);
        assertLeastPrivilege("RecorderFunction", recorded());
    }

    @Test
    void scheduledFunction() {
        String s = "iam-scheduled";
        CLOCK.set(LONG_AGO);
        ObjectNode open = Json.MAPPER.createObjectNode();
        open.withArray("events").addObject().put("event_id", "start").set("event", Json.MAPPER.createObjectNode()
                .put("type", "AgentStart").put("agent_id", "a").put("session_id", s).put("loop_id", s + ".m.0")
                .put("timestamp", "2026-11-01T10:00:00Z"));
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", open);
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("s-", 0, 60, 20, null));
        // a body kept in S3, which the archiver reads to write the archive object
        setup.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-", 0, 1, 600_000, null));
        setup.record(tenant, s);
        // an idle session whose state is kept in S3, which the sweep reads
        setup.api.post(tenant, "/v1/sessions/iam-scheduled-big/events", bigLoop("iam-scheduled-big", 16, 40_000));
        setup.record(tenant, "iam-scheduled-big");
        CLOCK.set(NOW);

        // Objects nothing refers to, old enough for the orphan sweep: a body and a session state.
        setup.components.payloadStore().put(new StreamKey(tenant, s), "orphan", new byte[] {'{', '}'});
        AwsTestResource.aws().embedded().s3().putObject(b -> b.bucket(AwsTestResource.BUCKET)
                .key("sessions/tenant=" + StreamKey.encodeTenant(tenant) + "/session=" + s + "/state-orphan.json.gz"),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(new byte[] {1}));

        // a run that died after writing its first object: the next run adopts it (reading its chain metadata)
        try {
            setup.components.archiver(point -> {
                if (point.equals("after-object-write")) {
                    throw new IllegalStateException("crash");
                }
            }).archive(new StreamKey(tenant, "iam-scheduled-big"), NOW.minus(Duration.ofHours(24)));
        } catch (IllegalStateException crashed) {
            // as planned
        }
        CLOCK.set(NOW.plus(Duration.ofMinutes(10))); // the crashed run's lease has lapsed

        AwsCalls.reset();
        assertTrue(subject.components.idleSweeper().sweep() >= 2);
        assertTrue(subject.components.archiver().run().eventsArchived() >= 62);
        // the objects' own times are today's; bodies wait a day past their items' lifetime
        CLOCK.set(Instant.now().plus(OrphanSweeper.payloadGrace(subject.components.settings().archive().itemLifetime())).plusSeconds(600));
        assertTrue(subject.components.orphanSweeper().sweep(100_000).removed() >= 2);
        CLOCK.set(NOW);
        assertLeastPrivilege("ScheduledFunction", recorded());
    }

    @Test
    void eraseFunction() {
        String s = "iam-erase";
        Settings retained = settings().withSessionRetention(Duration.ofDays(7));
        RecorderTestSupport setupHere = new RecorderTestSupport(CLOCK, retained, false);
        RecorderTestSupport subjectHere = new RecorderTestSupport(CLOCK, retained, true);
        CLOCK.set(LONG_AGO);
        // a session with archived events, a large body, a state in S3, and a fork whose copy it must make first
        setupHere.api.post(tenant, "/v1/sessions/" + s + "/events", bigLoop(s, 16, 40_000));
        setupHere.api.post(tenant, "/v1/sessions/" + s + "/events", batch("e-", 0, 30, 20, null));
        setupHere.api.post(tenant, "/v1/sessions/" + s + "/events", batch("big-", 0, 1, 600_000, null));
        setupHere.record(tenant, s);
        setupHere.components.archiver().archive(new StreamKey(tenant, s), NOW.minus(Duration.ofHours(24)));
        setupHere.api.post(tenant, "/v1/sessions/" + s + "/events", batch("hot-big-", 0, 1, 600_000, null));
        CLOCK.set(NOW);
        setupHere.api.post(tenant, "/v1/sessions/" + s + "/fork", Json.MAPPER.createObjectNode().put("new_session_id", s + "-fork"));
        setupHere.record(tenant, s + "-fork");

        // the recorder once gave up a batch of its records, and one with another session's too
        String pk = new StreamKey(tenant, s).pk();
        String other = new StreamKey(tenant, "iam-other").pk();
        String batch = "{\"payload\":{\"Records\":[%s]}}";
        String record = "{\"dynamodb\":{\"Keys\":{\"pk\":{\"S\":\"%s\"},\"seq\":{\"N\":\"1\"}}}}";
        setupHere.aws.embedded().s3().putObject(b -> b.bucket(AwsTestResource.FAILURE_BUCKET).key("aws/lambda/iam/" + tenant + "/a"),
                software.amazon.awssdk.core.sync.RequestBody.fromString(String.format(batch, String.format(record, pk))));
        setupHere.aws.embedded().s3().putObject(b -> b.bucket(AwsTestResource.FAILURE_BUCKET).key("aws/lambda/iam/" + tenant + "/b"),
                software.amazon.awssdk.core.sync.RequestBody.fromString(String.format(batch,
                        String.format(record, pk) + "," + String.format(record, other))));

        AwsCalls.reset();
        // retention marks it (its last event is 20 days old), the run after the grace period erases it
        // (sessions other test classes left, as old, may be swept and erased in the same runs)
        assertTrue(subjectHere.components.retentionSweeper().sweep() >= 1);
        CLOCK.set(NOW.plus(Eraser.GRACE).plusSeconds(1));
        assertTrue(subjectHere.components.eraser(Eraser.CrashPoints.NONE).run().erased() >= 1);
        assertTrue(subjectHere.components.eventLog().isErased(new StreamKey(tenant, s)));
        CLOCK.set(NOW);
        assertLeastPrivilege("EraseFunction", recorded());
    }
}
