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

/** The query Lambda as AWS runs it: a GET route's API Gateway event in, the page of events out. */
@QuarkusTest
@TestProfile(ExportProfiles.Query.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class QueryFunctionWireTest {

    @Inject
    Components components;

    @Test
    void apiGatewayGetEventIsAnsweredWithTheEvents() {
        // The append Lambda's fixture, through the same handlers, writes what the query reads.
        dev.sessionlog.api.HttpApiEvent append = dev.sessionlog.event.Json.MAPPER.convertValue(
                dev.sessionlog.event.Json.parse(Fixtures.text("apigw/append-ok.json").getBytes()), dev.sessionlog.api.HttpApiEvent.class);
        components.appendHandler().handle(append);
        given().contentType("application/json").body(Fixtures.text("apigw/query-ok.json"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(200))
                .body("body", containsString("\"session_id\":\"wire-1\""))
                .body("body", containsString("\"type\":\"AgentStart\""));
        LogLines.assertOperatorFields("query", "request_id", "tenant", "session_id");
    }
}
