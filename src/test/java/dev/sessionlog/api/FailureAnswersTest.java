package dev.sessionlog.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.RecorderTestSupport;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.ApiClient.Response;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * What a client sees when the service cannot finish in time, and where no route is: the contract's
 * JSON, never a Lambda timeout or API Gateway's own error.
 */
class FailureAnswersTest {

    /**
     * Before each PutItem of the events table, another writer takes the seq it is about to write:
     * the append loses every race, for ever.
     */
    static final class ThiefOfEverySeq implements ExecutionInterceptor {
        private final DynamoDbClient plain = AwsTestResource.aws().embedded().dynamo();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if ("PutItem".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
                    && context.request() instanceof PutItemRequest put && put.item().containsKey("event_id")) {
                Map<String, AttributeValue> stolen = new java.util.HashMap<>(put.item());
                stolen.put("event_id", AttributeValue.fromS("thief-" + put.item().get("seq").n()));
                plain.putItem(b -> b.tableName(put.tableName()).item(stolen));
            }
        }
    }

    @Test
    void anAppendThatRunsOutOfItsTimeBudgetAnswers503WithRetryAfterAndWritesNothing() {
        TestAws aws = AwsTestResource.aws();
        Settings settings = AwsTestResource.settings()
                .withFunctionTimeout(Duration.ofMillis(2_500)); // a budget of half a second
        Components components = new Components(settings, aws.embedded().dynamo(new ThiefOfEverySeq()), aws.embedded().s3(), Clock.systemUTC());
        ApiClient api = new ApiClient(components.appendHandler(), components.queryHandler());
        String tenant = RecorderTestSupport.newTenant();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.withArray("events").addObject().put("event_id", "mine").set("event", Json.MAPPER.createObjectNode().put("type", "Note"));
        long started = System.nanoTime();
        Response r = api.post(tenant, "/v1/sessions/s-busy/events", body);
        assertEquals(503, r.status(), r.body()::toString);
        assertEquals("unavailable", r.error().get("code").asText());
        assertEquals("1", r.headers().get("retry-after"));
        assertTrue((System.nanoTime() - started) / 1_000_000 < 2_500, "answered within the function's time");
        assertTrue(components.eventLog().eventSeq(new StreamKey(tenant, "s-busy"), "mine").isEmpty(), "nothing of it was written");
    }

    /** A store call that hangs ends at the SDK's call timeout, and the request answers 503. */
    @Test
    void aHungStoreCallAnswers503() {
        TestAws aws = AwsTestResource.aws();
        ExecutionInterceptor hang = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        DynamoDbClient hanging = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                .endpointOverride(aws.embedded().dynamoEndpoint()).region(dev.sessionlog.local.EmbeddedAws.REGION)
                .credentialsProvider(dev.sessionlog.local.EmbeddedAws.credentials())
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(hang).apiCallTimeout(Duration.ofMillis(300))).build();
        Components components = new Components(AwsTestResource.settings(), hanging, aws.embedded().s3(), Clock.systemUTC());
        Response r = new ApiClient(components.appendHandler(), components.queryHandler())
                .get(RecorderTestSupport.newTenant(), "/v1/sessions/s-any/events");
        assertEquals(503, r.status(), r.body()::toString);
        assertEquals("1", r.headers().get("retry-after"));
    }

    @Test
    void theFunctionsSetCallTimeoutsOnEveryStoreClient() throws Exception {
        Properties p = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            p.load(in);
        }
        for (String client : new String[] {"dynamodb", "s3"}) {
            for (String setting : new String[] {"api-call-timeout", "api-call-attempt-timeout", "sync-client.connection-timeout",
                    "sync-client.socket-timeout"}) {
                String value = p.getProperty("quarkus." + client + "." + setting);
                assertTrue(value != null && Duration.parse(value).compareTo(Duration.ofSeconds(15)) < 0,
                        "quarkus." + client + "." + setting + " is set below the functions' timeouts: " + value);
            }
        }
    }

    @Test
    void anyRouteThatIsNotTheApisIsAJson404AndAWrongMethodA405() {
        RecorderTestSupport t = new RecorderTestSupport();
        String tenant = RecorderTestSupport.newTenant();
        Response unknown = t.api.send("POST", tenant, "/v1/nothing/here", "{}");
        assertEquals(404, unknown.status());
        assertEquals("route_not_found", unknown.error().get("code").asText());
        assertEquals("route_not_found", t.api.send("GET", tenant, "/", null).error().get("code").asText());
        assertEquals("route_not_found", t.api.send("GET", tenant, "/v2/sessions", null).error().get("code").asText());
        Response wrongMethod = t.api.send("PUT", tenant, "/v1/sessions/s1/events", "{}");
        assertEquals(405, wrongMethod.status());
        assertEquals("method_not_allowed", wrongMethod.error().get("code").asText());
    }
}
