package dev.sessionlog.erase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Finding 7: an erasure reaches the event bodies kept in the recorder's failed batches. */
class FailedBatchesTest {

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
    final RecorderTestSupport t = new RecorderTestSupport(clock, AwsTestResource.settings());
    final String tenant = RecorderTestSupport.newTenant();
    final S3Client s3 = t.aws.embedded().s3();

    @Test
    void theErasedSessionsRecordsLeaveTheFailedBatchesAndNothingElseDoes() {
        for (String s : List.of("victim", "other")) {
            assertEquals(201, t.api.post(tenant, "/v1/sessions/" + s + "/events", EraseApiTest.notes(s + "-", 2, 0, null, null)).status());
        }
        String only = FailedBatches.PREFIX + "mapping-1/shard-1/" + tenant + "/only-victim";
        String mixed = FailedBatches.PREFIX + "mapping-1/shard-1/" + tenant + "/mixed";
        String unrelated = FailedBatches.PREFIX + "mapping-1/shard-1/" + tenant + "/unrelated";
        put(only, invocation(true, "victim", "victim"));
        put(mixed, invocation(false, "victim", "other", "victim"));
        put(unrelated, invocation(true, "other"));
        String unrelatedBefore = get(unrelated);

        assertEquals(202, t.api.delete(tenant, "/v1/sessions/victim").status());
        clock.set(clock.instant().plus(Eraser.GRACE).plusSeconds(1));
        t.components.eraser(Eraser.CrashPoints.NONE).run(); // sessions other tests left marked may go in the same run
        assertTrue(t.components.eventLog().isErased(new StreamKey(tenant, "victim")));

        assertFalse(exists(only), "a batch of only the erased session's records is deleted");
        JsonNode rewritten = Json.parse(get(mixed).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        JsonNode records = rewritten.get("payload").get("Records");
        assertEquals(1, records.size());
        assertEquals(new StreamKey(tenant, "other").pk(), records.get(0).path("dynamodb").path("Keys").path("pk").path("S").asText());
        assertFalse(get(mixed).contains("victim-"), "no body of the erased session is left");
        assertEquals("RetryAttemptsExhausted", rewritten.path("requestContext").path("condition").asText(), "the rest is as Lambda wrote it");
        assertEquals(unrelatedBefore, get(unrelated));
    }

    /** The invocation record Lambda's S3 on-failure destination writes for a failed stream batch. */
    private String invocation(boolean payloadAsText, String... sessions) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ArrayNode records = event.putArray("Records");
        int seq = 1;
        for (String session : sessions) {
            ObjectNode r = records.addObject().put("eventName", "INSERT").put("eventSource", "aws:dynamodb");
            ObjectNode ddb = r.putObject("dynamodb");
            String pk = new StreamKey(tenant, session).pk();
            ddb.putObject("Keys").putObject("pk").put("S", pk);
            ddb.with("Keys").putObject("seq").put("N", Integer.toString(seq));
            ObjectNode image = ddb.putObject("NewImage");
            image.putObject("pk").put("S", pk);
            image.putObject("event").put("S", "{\"type\":\"Note\",\"text\":\"" + session + "-" + seq + "\"}");
            seq++;
        }
        ObjectNode invocation = Json.MAPPER.createObjectNode();
        invocation.putObject("requestContext").put("condition", "RetryAttemptsExhausted").put("approximateInvokeCount", 11);
        invocation.put("version", "1.0");
        if (payloadAsText) {
            invocation.put("payload", Json.write(event));
        } else {
            invocation.set("payload", event);
        }
        return Json.write(invocation);
    }

    private void put(String key, String body) {
        s3.putObject(b -> b.bucket(AwsTestResource.FAILURE_BUCKET).key(key), RequestBody.fromString(body));
    }

    private String get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(AwsTestResource.FAILURE_BUCKET).key(key)).asUtf8String();
    }

    private boolean exists(String key) {
        try {
            get(key);
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }
}
