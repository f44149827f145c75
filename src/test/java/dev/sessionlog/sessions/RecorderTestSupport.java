package dev.sessionlog.sessions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsCalls;
import dev.sessionlog.testing.AwsTestResource;
import dev.sessionlog.testing.TestAws;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** The product wired on moto and S3Proxy, and the means to feed its recorder stream records. */
public final class RecorderTestSupport {

    public final TestAws aws = AwsTestResource.aws();
    public final Components components;
    public final ApiClient api;

    public RecorderTestSupport() {
        this(Clock.systemUTC());
    }

    public RecorderTestSupport(Clock clock) {
        this(clock, AwsTestResource.settings());
    }

    public RecorderTestSupport(Clock clock, Settings settings) {
        this(clock, settings, true);
    }

    /** @param recordCalls whether AwsCalls sees this wiring's AWS calls (false: a test's own setup) */
    public RecorderTestSupport(Clock clock, Settings settings, boolean recordCalls) {
        this(clock, settings, recordCalls, Metrics.NONE);
    }

    public RecorderTestSupport(Clock clock, Settings settings, boolean recordCalls, Metrics metrics) {
        components = recordCalls
                ? new Components(settings, aws.embedded().dynamo(new AwsCalls()), aws.embedded().s3(new AwsCalls()),
                        aws.embedded().checkpointS3(new AwsCalls()), clock, metrics)
                : new Components(settings, aws.embedded().dynamo(), aws.embedded().s3(), aws.embedded().checkpointS3(), clock, metrics);
        api = new ApiClient(components.appendHandler(), components.queryHandler());
    }

    public static String newTenant() {
        return "t-" + UUID.randomUUID();
    }

    /** A fixture of the recorder's scenario tests: a JSON array of phi-core events. */
    public static List<JsonNode> fixture(String name) {
        try (InputStream in = RecorderTestSupport.class.getResourceAsStream("/recorder/" + name)) {
            List<JsonNode> events = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(events::add);
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends the events through the API, in requests of at most 100, with ids e-1, e-2, ... */
    public void append(String tenant, String session, List<JsonNode> events) {
        append(tenant, session, events, 0);
    }

    /** The same, for events that follow {@code before} others: their ids go on from e-(before + 1). */
    public void append(String tenant, String session, List<JsonNode> events, int before) {
        for (int from = 0; from < events.size(); from += 100) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode batch = body.putArray("events");
            for (int i = from; i < Math.min(events.size(), from + 100); i++) {
                batch.addObject().put("event_id", "e-" + (before + i + 1)).set("event", events.get(i));
            }
            ApiClient.Response r = api.post(tenant, "/v1/sessions/" + session + "/events", body);
            if (r.status() != 201) {
                throw new AssertionError("append failed: " + r.status() + " " + r.body());
            }
        }
    }

    /**
     * Appends each event in a request of its own, as an agent that posts events as they come: each is
     * an item and a stream record of its own (a request's events share one).
     */
    public void appendEach(String tenant, String session, List<JsonNode> events) {
        for (int i = 0; i < events.size(); i++) {
            append(tenant, session, events.subList(i, i + 1), i);
        }
    }

    /** Appends the events in requests of 1 to {@code maxPerRequest} (chosen at random): items of one to several events. */
    public void appendInRequests(String tenant, String session, List<JsonNode> events, java.util.Random random, int maxPerRequest) {
        for (int from = 0; from < events.size(); ) {
            int to = Math.min(events.size(), from + 1 + random.nextInt(maxPerRequest));
            append(tenant, session, events.subList(from, to), from);
            from = to;
        }
    }

    /** Folds the session's events as the stream would deliver them, in batches of 1,000. */
    public void record(String tenant, String session) {
        List<StreamRecord> records = records(tenant, session);
        for (int i = 0; i < records.size(); i += 1000) {
            List<String> failed = components.streamRecorder().record(records.subList(i, Math.min(records.size(), i + 1000)));
            if (!failed.isEmpty()) {
                throw new AssertionError("recording failed for " + failed.size() + " records");
            }
        }
    }

    /** Every event of the session through the read endpoint, page by page. */
    public List<JsonNode> readAll(String tenant, String session, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        long after = 0;
        while (true) {
            ApiClient.Response page = api.get(tenant, "/v1/sessions/" + session + "/events?after_seq=" + after + "&limit=" + pageSize);
            if (page.status() != 200) {
                throw new AssertionError("read failed: " + page.status() + " " + page.body());
            }
            page.body().get("events").forEach(all::add);
            if (page.body().get("next_after_seq").isNull()) {
                return all;
            }
            after = page.body().get("next_after_seq").asLong();
        }
    }

    /** The session's items as its stream records would carry them (NEW_IMAGE is the whole item): events and a fork's link. */
    public List<StreamRecord> records(String tenant, String session) {
        List<StreamRecord> records = new ArrayList<>();
        StreamKey key = new StreamKey(tenant, session);
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = aws.embedded().dynamo().query(b -> b.tableName(aws.table("EventsTable"))
                    .keyConditionExpression("pk = :pk").exclusiveStartKey(from)
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()))));
            r.items().stream().filter(item -> item.containsKey("event_id") || item.containsKey("fork_link"))
                    .forEach(item -> records.add(new StreamRecord(key.pk() + "/" + item.get("seq").n(), "INSERT", item)));
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return records;
    }

    public JsonNode session(String tenant, String session) {
        ApiClient.Response r = api.get(tenant, "/v1/sessions/" + session);
        if (r.status() != 200) {
            throw new AssertionError("GET session " + session + ": " + r.status() + " " + r.body());
        }
        return r.body();
    }
}
