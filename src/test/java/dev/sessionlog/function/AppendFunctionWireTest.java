package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;

import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * The append Lambda as AWS runs it: the raw API Gateway HTTP API (payload 2.0) event JSON goes to
 * the Lambda mock event server, through funqy, and the function's HTTP response comes back.
 */
@QuarkusTest
@TestProfile(ExportProfiles.Append.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class AppendFunctionWireTest {

    @Test
    void apiGatewayEventIsAppendedAndAnswered201() {
        given().contentType("application/json").body(Fixtures.text("apigw/append-ok.json"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(201))
                .body("headers.content-type", equalTo("application/json"))
                .body("body", containsString("\"session_id\":\"wire-1\""))
                .body("body", containsString("\"seq\":1"));
        // The same event again is a retry: 200 and the same seq, marked duplicate.
        given().contentType("application/json").body(Fixtures.text("apigw/append-ok.json"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(200))
                .body("body", containsString("\"duplicate\":true"));
        LogLines.assertOperatorFields("append", "request_id", "tenant", "session_id", "seq");
    }

    @Test
    void eventWithoutTypeIsA400NamingTheField() {
        given().contentType("application/json").body(Fixtures.text("apigw/append-fail.json"))
                .when().post()
                .then().statusCode(200)
                .body("statusCode", equalTo(400))
                .body("body", containsString("invalid_request"))
                .body("body", containsString("events[0].event.type"));
    }
}
