package dev.sessionlog.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The priming that runs before SnapStart's snapshot goes through the hot paths and makes one cheap read. */
@QuarkusTest
@QuarkusTestResource(value = AwsTestResource.class, restrictToAnnotatedClass = false)
class SnapStartPrimingTest {

    @Inject
    SnapStartPriming priming;

    @Test
    void primingRunsTheHotPathsAndOneDynamoDbQuery() {
        AwsCalls.reset();
        assertTrue(priming.prime());
        assertEquals(java.util.Map.of("Query", 1L), AwsCalls.countByOperation("DynamoDb"));
        assertEquals(0, AwsCalls.calls("S3").size());
    }
}
