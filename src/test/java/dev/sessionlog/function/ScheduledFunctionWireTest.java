package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** The scheduled Lambda takes EventBridge Scheduler's event and answers its run summary. */
@QuarkusTest
@TestProfile(ExportProfiles.Scheduled.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class ScheduledFunctionWireTest {

    @Test
    void scheduledEventRunsTheSweep() {
        given().contentType("application/json").body(Fixtures.text("apigw/eventbridge-schedule.json"))
                .when().post()
                .then().statusCode(200)
                .body("idle_sessions_closed", greaterThanOrEqualTo(0));
        LogLines.assertOperatorFields("archive");
    }
}
