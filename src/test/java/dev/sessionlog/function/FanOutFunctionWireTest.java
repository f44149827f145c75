package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.StreamPoller;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fan-out Lambda as AWS runs it: the events table's stream event in (recorded off moto's
 * stream), pushed through API Gateway's management API (moto's): new events to the follower, and
 * the erasure's mark, which closes the connection and ends its subscription.
 */
@QuarkusTest
@TestProfile(ExportProfiles.FanOut.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class FanOutFunctionWireTest {

    @Inject
    Components components;

    @Test
    void newEventsArePushedAndAnErasureClosesItsFollowers() {
        EmbeddedAws aws = AwsTestResource.aws().embedded();
        StreamPoller poller = StreamPoller.fromNow(aws.dynamo(), aws.streams(), AwsTestResource.aws().table("EventsTable"),
                EmbeddedAws.REGION.id());
        StreamKey key = new StreamKey("wire-fanout", "followed");
        components.subscriptions().add(dev.sessionlog.follow.FollowTopic.session(key), "Jc6YfeRxDoECG7w=");
        ApiClient api = new ApiClient(components.appendHandler(), components.queryHandler());
        assertEquals(201, api.post(key.tenant(), "/v1/sessions/followed/events",
                "{\"events\":[{\"event\":{\"type\":\"Note\",\"text\":\"a\"}},{\"event\":{\"type\":\"Note\",\"text\":\"b\"}}]}").status());
        assertEquals(202, api.send("DELETE", key.tenant(), "/v1/sessions/followed", null).status());
        List<ObjectNode> batches = new ArrayList<>();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!Json.write(batches).contains("\"erasing\"") && System.nanoTime() < deadline) {
            poller.pollOnce(event -> {
                batches.add(event);
                return List.of();
            });
        }
        assertTrue(Json.write(batches).contains("\"erasing\""), "the erasure's mark is on the stream");
        for (ObjectNode batch : batches) {
            given().contentType("application/json").body(Json.write(batch)).when().post()
                    .then().statusCode(200).body("batchItemFailures", hasSize(0));
        }
        assertEquals(List.of(), components.subscriptions().of(dev.sessionlog.follow.FollowTopic.session(key)), "closed and unsubscribed by the erasure");
    }
}
