package dev.sessionlog.function;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.Fixtures;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The recorder Lambda as AWS runs it: a DynamoDB stream event goes through funqy; the session of
 * the good record is folded, and only the record of the broken session (its seqs 1..6 are nowhere)
 * comes back in the partial batch response.
 */
@QuarkusTest
@TestProfile(ExportProfiles.Record.class)
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class RecordFunctionWireTest {

    @Inject
    Components components;

    @Test
    void streamEventIsFoldedAndTheBrokenRecordIsReported() {
        given().contentType("application/json").body(Fixtures.text("apigw/dynamodb-stream.json"))
                .when().post()
                .then().statusCode(200)
                .body("batchItemFailures", hasSize(1))
                .body("batchItemFailures[0].itemIdentifier", equalTo("111100000000012345678902"));
        var stored = components.sessionStore().load(new StreamKey("acme", "wire-rec")).orElseThrow();
        assertEquals(1, stored.fold().recordedThroughSeq());
        assertEquals("active", stored.fold().status());
        // the recorder logs the session and seqs it folded, with the invocation's fields
        LogLines.assertOperatorFields("record", "tenant", "session_id", "seq");
    }
}
