package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The events Lambda (with the live tail) as AWS runs it: the events route's API Gateway event in, the page out. */
@QuarkusTest
@TestProfile(ExportProfiles.Tail.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class TailFunctionWireTest {

    @Inject
    Components components;

    @Test
    void apiGatewayGetEventIsAnsweredWithTheEvents() {
        dev.sessionlog.api.HttpApiEvent append = dev.sessionlog.event.Json.MAPPER.convertValue(
                dev.sessionlog.event.Json.parse(Fixtures.text("apigw/append-ok.json").getBytes()), dev.sessionlog.api.HttpApiEvent.class);
        components.appendHandler().handle(append);
        given().contentType("application/json").body(Fixtures.text("apigw/query-ok.json"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(200))
                .body("body", containsString("\"session_id\":\"wire-1\""));
        LogLines.assertOperatorFields("tail", "request_id", "tenant", "session_id");
    }
}
