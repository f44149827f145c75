package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The erasure Lambda takes EventBridge Scheduler's event and answers its run summary. */
@QuarkusTest
@TestProfile(ExportProfiles.Erase.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class EraseFunctionWireTest {

    @Test
    void scheduledEventRunsTheErasure() {
        given().contentType("application/json").body(Fixtures.text("apigw/eventbridge-schedule.json"))
                .when().post()
                .then().statusCode(200)
                .body("sessions_erased", greaterThanOrEqualTo(0))
                .body("sessions_expired", equalTo(0))
                .body("failed_parts.size()", equalTo(0));
        LogLines.assertOperatorFields("erase");
    }
}
