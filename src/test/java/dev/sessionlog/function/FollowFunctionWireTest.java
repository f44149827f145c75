package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessionlog.follow.Subscriptions;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The follow Lambda as AWS runs it: the WebSocket API's $connect (with a ticket) and $default events in. */
@QuarkusTest
@TestProfile(ExportProfiles.Follow.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class FollowFunctionWireTest {

    @Inject
    Components components;

    @Test
    void aConnectWithATicketSubscribesOnceAndAKeepAliveIsAnswered() {
        StreamKey session = new StreamKey("acme", "wire-follow");
        String connect = Fixtures.text("apigw/websocket-connect.json").replace("TICKET", components.followTickets().issue(dev.sessionlog.follow.FollowTopic.session(session)).token());
        given().contentType("application/json").body(connect).when().post()
                .then().statusCode(200).body("statusCode", equalTo(200));
        assertEquals(List.of("Jc6YfeRxDoECG7w="),
                components.subscriptions().of(dev.sessionlog.follow.FollowTopic.session(session)).stream().map(Subscriptions.Subscription::connectionId).toList());
        // the ticket is spent: the same connect again is refused, so API Gateway refuses the connection
        given().contentType("application/json").body(connect).when().post()
                .then().statusCode(200).body("statusCode", equalTo(401));
        given().contentType("application/json").body(Fixtures.text("apigw/websocket-message.json")).when().post()
                .then().statusCode(200).body("statusCode", equalTo(200));
    }
}
