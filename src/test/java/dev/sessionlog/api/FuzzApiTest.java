package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Thousands of requests built from malformed and extreme values, on every route, through the real
 * handlers on the real engine: none answers 500, and every 4xx leaves the tables and the bucket as
 * they were (no store write succeeded, no object is left). Then the recorder folds every session the
 * fuzzing wrote, and a normal session normally.
 */
class FuzzApiTest {

    /** This class stores tens of thousands of items: they go when it is done (moto keeps all in memory). */
    @org.junit.jupiter.api.AfterAll
    static void releaseTheStore() {
        dev.sessionlog.testing.AwsTestResource.resetDynamo();
    }

    static final long SEED = 7_230_1130L;
    static final int REQUESTS = 5_200;

    /** The writes that succeeded during one request: DynamoDB writes, and S3 objects put and not removed again. */
    static final class Writes implements ExecutionInterceptor {
        static final Set<String> DYNAMO_WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems");
        final List<String> dynamo = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> objects = java.util.Collections.synchronizedSet(new HashSet<>());

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            if (DYNAMO_WRITES.contains(operation)) {
                dynamo.add(operation);
            } else if (context.request() instanceof PutObjectRequest put) {
                objects.add(put.key());
            } else if (context.request() instanceof DeleteObjectRequest delete) {
                objects.remove(delete.key());
            }
        }

        void clear() {
            dynamo.clear();
            objects.clear();
        }
    }

    @Test
    void noneOfThousandsOfMalformedAndExtremeRequestsAnswers500OrLeavesAnythingBehind() {
        TestAws aws = AwsTestResource.aws();
        Writes writes = new Writes();
        Components components = new Components(AwsTestResource.settings(), aws.embedded().dynamo(writes), aws.embedded().s3(writes), Clock.systemUTC());
        ApiClient api = new ApiClient(components.appendHandler(), components.queryHandler());
        Random random = new Random(SEED);
        RequestFactory requests = new RequestFactory(random, "fuzz-" + SEED + "-" + System.nanoTime());
        Map<Integer, Integer> statuses = new TreeMap<>();
        Set<String> sessionsWritten = new HashSet<>();
        for (int i = 0; i < REQUESTS; i++) {
            RequestFactory.Request r = requests.next();
            writes.clear();
            Response response;
            try {
                response = api.send(r.method(), r.tenant(), r.path(), r.body());
            } catch (RuntimeException e) {
                throw new AssertionError("request " + i + " (seed " + SEED + ") threw: " + r, e);
            }
            statuses.merge(response.status(), 1, Integer::sum);
            if (response.status() >= 500) {
                fail("request " + i + " (seed " + SEED + ") answered " + response.status() + " " + response.body() + " to " + r);
            }
            if (response.status() >= 400) {
                assertTrue(writes.dynamo.isEmpty(), () -> "a " + response.status() + " wrote to DynamoDB " + writes.dynamo + ": " + r);
                assertTrue(writes.objects.isEmpty(), () -> "a " + response.status() + " left objects " + writes.objects + ": " + r);
                assertTrue(response.body().path("error").path("message").isTextual(), () -> "the error names what is wrong: " + r);
            } else if (r.method().equals("POST") && response.status() == 201) {
                sessionsWritten.add(r.tenant() + "\u0000" + response.body().get("session_id").asText());
            }
        }
        assertTrue(statuses.keySet().stream().anyMatch(s -> s >= 400), "the fuzzing reaches the error paths: " + statuses);
        assertTrue(statuses.getOrDefault(201, 0) > 100, "and the happy paths: " + statuses);

        // Whatever the fuzzing stored, the recorder folds it, session by session, without a failure.
        RecorderTestSupport t = new RecorderTestSupport();
        for (String written : sessionsWritten) {
            String[] parts = written.split("\u0000");
            assertEquals(List.of(), t.components.streamRecorder().record(t.records(parts[0], parts[1])), () -> "recording " + written);
        }
        // And a normal session after all that is recorded normally.
        String tenant = RecorderTestSupport.newTenant();
        t.append(tenant, "s-tool", RecorderTestSupport.fixture("tool_loop.json"));
        t.record(tenant, "s-tool");
        JsonNode session = t.session(tenant, "s-tool");
        assertEquals(0, session.get("fold_error_count").asLong());
        assertEquals("Completed", session.get("loops").get(0).get("status").asText());
        System.out.printf("fuzz: seed %d, %d requests, statuses %s, %d sessions recorded%n", SEED, REQUESTS, statuses,
                sessionsWritten.size());
    }
}
