package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.function.Components;
import dev.sessionlog.function.Settings;
import dev.sessionlog.local.CloudFormationTemplate;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.TemplateTables;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.recorder.AgentRunGenerator;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.testing.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the record and archive sections share: moto for DynamoDB (a Python child process started
 * through the project's launcher) and S3Proxy in this JVM, the tables of template.yaml, clients
 * whose calls BenchCalls counts and prices (a CapacityModel per table), plain clients for the
 * bench's own reads, and the product's object graph (Components) on a clock the bench moves.
 * Sessions get a generated agent run of their own (AgentRunGenerator, so that the fold sees a
 * coherent session) and are appended to through the product's EventLog.
 */
final class BenchStack implements AutoCloseable {

    static final String BUCKET = "sessionlog-bench";

    final EmbeddedAws aws;
    final BenchCalls calls;
    /** Counted and priced. */
    final DynamoDbClient dynamo;
    final S3Client s3;
    /** Counted: the checkpoint bucket's S3 (moto's, see EmbeddedAws.checkpointS3). */
    final S3Client checkpointS3;
    /** Not counted: setup and the bench's own reads. */
    final DynamoDbClient plainDynamo;
    final S3Client plainS3;
    final String eventsTable;
    final String sessionsTable;
    final String followTable;
    final MutableClock clock;
    final Components components;
    private long streamSequence;

    private BenchStack(EmbeddedAws aws, Instant now, Function<Settings, Settings> settings) {
        this.aws = aws;
        CloudFormationTemplate template = CloudFormationTemplate.load();
        TemplateTables tables = new TemplateTables(template);
        eventsTable = TemplateTables.localName("EventsTable");
        sessionsTable = TemplateTables.localName("SessionsTable");
        followTable = TemplateTables.localName("FollowTable");
        calls = new BenchCalls(List.of(new CapacityModel(tables.createRequest("EventsTable", eventsTable)),
                new CapacityModel(tables.createRequest("SessionsTable", sessionsTable)),
                new CapacityModel(tables.createRequest("FollowTable", followTable))));
        plainDynamo = aws.dynamo();
        plainS3 = aws.s3();
        calls.peekWith(plainDynamo);
        dynamo = aws.dynamo(calls);
        s3 = aws.s3(calls);
        Map<String, String> names = tables.createAll(plainDynamo);
        if (!eventsTable.equals(names.get("EventsTable")) || !sessionsTable.equals(names.get("SessionsTable"))) {
            throw new IllegalStateException("unexpected table names " + names);
        }
        EmbeddedAws.createBucket(plainS3, BUCKET);
        // Checkpoints are sealed in a bucket of their own, on moto's S3 (Object Lock), as the local runner has it.
        EmbeddedAws.createCheckpointBucket(aws.checkpointS3(), BUCKET + "-checkpoints");
        checkpointS3 = aws.checkpointS3(calls);
        clock = new MutableClock(now);
        // following is deployed (its table counted); what the URL names is never connected to here
        Settings local = Settings.local(eventsTable, sessionsTable, BUCKET)
                .withFollow(new dev.sessionlog.follow.FollowSettings(followTable, "ws://127.0.0.1:9/follow", ""));
        components = new Components(settings.apply(local), dynamo, s3, checkpointS3, clock, Metrics.NONE);
    }

    static BenchStack start(Instant now, Function<Settings, Settings> settings) throws Exception {
        EmbeddedAws aws = EmbeddedAws.start(EmbeddedAws.Options.inMemory());
        try {
            return new BenchStack(aws, now, settings);
        } catch (RuntimeException | Error e) {
            aws.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        aws.close();
    }

    /** moto's version, from the launcher's ready line ("… (moto 5.2.1, …)"); "?" when it is not there. */
    static String motoVersion(EmbeddedAws aws) {
        if (aws.moto() == null) {
            return "?";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(moto ([^,)]+)").matcher(aws.moto().banner());
        return m.find() ? m.group(1) : "?";
    }

    /** A session with a generated run of at least {@code events} events of its own. */
    final class Session {
        final StreamKey key;
        final List<JsonNode> run;
        /** The next event of the run to append. */
        int cursor;
        long head;

        /** A session whose run is these events (the generator's, as phi-core emits them). */
        Session(String tenant, String sessionId, List<JsonNode> run) {
            this.key = new StreamKey(tenant, sessionId);
            this.run = new ArrayList<>(run);
        }

        Session(String tenant, String sessionId, int events) {
            this.key = new StreamKey(tenant, sessionId);
            int loops = Math.max(2, events / 15 + 2);
            List<EventRecord> generated = AgentRunGenerator.generate(AgentRunGenerator.Config.of(sessionId, loops)).events();
            while (generated.size() < events) {
                loops *= 2;
                generated = AgentRunGenerator.generate(AgentRunGenerator.Config.of(sessionId, loops)).events();
            }
            run = new ArrayList<>(events);
            generated.stream().limit(events).forEach(e -> run.add(e.event()));
        }

        /** The next n events of the run, taken. */
        List<JsonNode> next(int n) {
            if (cursor + n > run.size()) {
                throw new IllegalStateException(key.sessionId() + " has only " + run.size() + " generated events");
            }
            List<JsonNode> events = run.subList(cursor, cursor + n);
            cursor += n;
            return events;
        }

        /** Appends the next n events of the run (requests of at most 100, server ids); returns their stream records. */
        List<StreamRecord> append(int n) {
            return append(next(n));
        }

        /** Appends these events (requests of at most 100, server ids); returns their stream records. */
        List<StreamRecord> append(List<JsonNode> events) {
            long before = head;
            for (int from = 0; from < events.size(); from += 100) {
                List<NewEvent> batch = new ArrayList<>();
                for (JsonNode e : events.subList(from, Math.min(events.size(), from + 100))) {
                    batch.add(new NewEvent(null, null, e, Json.bytes(e)));
                }
                AppendResult r = components.eventLog().append(key, new AppendRequest(batch, OptionalLong.empty()));
                if (r.headSeq() != head + batch.size()) {
                    throw new IllegalStateException("append to " + key.sessionId() + " ended at " + r.headSeq()
                            + ", expected " + (head + batch.size()));
                }
                head = r.headSeq();
            }
            return records(key, before);
        }
    }

    /**
     * The stream records of a session's items with seq above {@code afterSeq}, as DynamoDB Streams
     * would deliver them (INSERT, NEW_IMAGE = the whole item), read with the plain client.
     */
    List<StreamRecord> records(StreamKey key, long afterSeq) {
        List<StreamRecord> records = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = plainDynamo.query(b -> b.tableName(eventsTable).keyConditionExpression("pk = :pk AND seq > :after")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()),
                            ":after", AttributeValue.fromN(Long.toString(afterSeq))))
                    .consistentRead(true).exclusiveStartKey(from));
            for (Map<String, AttributeValue> item : r.items()) {
                if (item.containsKey("event_id")) {
                    records.add(new StreamRecord(String.format(Locale.ROOT, "%021d", ++streamSequence), "INSERT", item));
                }
            }
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return records;
    }

    /** Folds records without measuring (setup), in stream batches of at most 1,000. */
    void recordUnmeasured(List<StreamRecord> records) {
        for (int i = 0; i < records.size(); i += 1000) {
            List<String> failed = components.streamRecorder().record(records.subList(i, Math.min(records.size(), i + 1000)));
            if (!failed.isEmpty()) {
                throw new IllegalStateException("recording failed for " + failed.size() + " records");
            }
        }
    }

    /** Calls of a measured step, with the totals the sections report. */
    record Measured(List<BenchCalls.Call> calls, long nanos) {

        long dynamoCalls() {
            return calls.stream().filter(c -> BenchCalls.DYNAMO.equals(c.service())).count();
        }

        long s3Calls() {
            return calls.stream().filter(c -> !BenchCalls.DYNAMO.equals(c.service())).count();
        }

        long count(String service, String operation) {
            return calls.stream().filter(c -> service.equals(c.service()) && operation.equals(c.operation())).count();
        }

        long count(String operation, String table, boolean failed) {
            return calls.stream().filter(c -> operation.equals(c.operation()) && table.equals(c.table()) && c.failed() == failed)
                    .count();
        }

        CapacityModel.Cost cost() {
            CapacityModel.Cost sum = CapacityModel.Cost.ZERO;
            for (BenchCalls.Call c : calls) {
                sum = sum.plus(c.model());
            }
            return sum;
        }

        CapacityModel.Cost cost(String table) {
            CapacityModel.Cost sum = CapacityModel.Cost.ZERO;
            for (BenchCalls.Call c : calls) {
                if (table.equals(c.table())) {
                    sum = sum.plus(c.model());
                }
            }
            return sum;
        }

        long callNanos() {
            return calls.stream().mapToLong(BenchCalls.Call::nanos).sum();
        }
    }

    /** Runs a step with the calls recorded; the time of the model's peeks is taken out. */
    <T> Measured measure(java.util.function.Supplier<T> step, java.util.function.Consumer<T> check) {
        calls.start();
        long t0 = System.nanoTime();
        T result;
        long nanos;
        List<BenchCalls.Call> made;
        try {
            result = step.get();
        } finally {
            long wall = System.nanoTime() - t0;
            long peeks = calls.peekNanos();
            made = calls.stop();
            long inCalls = made.stream().mapToLong(BenchCalls.Call::nanos).sum();
            // The model's own reads (peeks) are taken out of the time when the calls ran one after
            // another; when they overlapped (sessions folded concurrently), the summed peek time says
            // nothing about the wall time, which is then reported whole: an upper bound.
            nanos = inCalls + peeks <= wall ? wall - peeks : wall;
        }
        check.accept(result);
        return new Measured(made, nanos);
    }

    // ---- prices --------------------------------------------------------------------------------

    /** AWS list prices, us-east-1, as assumed by the reports (see docs/BENCHMARKS.md for their sources). */
    static final double S3_PUT_PER_1000 = 0.005;
    static final double S3_GET_PER_1000 = 0.0004;
    static final double S3_GB_MONTH = 0.023;
    static final double DDB_WRU_PER_MILLION = 0.625;
    static final double DDB_RRU_PER_MILLION = 0.125;
    static final double DDB_GB_MONTH = 0.25;
    static final double GB = 1024.0 * 1024 * 1024;

    /** The request charges of a step at those prices, in dollars. */
    static double dollars(Measured m) {
        CapacityModel.Cost c = m.cost();
        double s3Class1 = m.calls().stream().filter(x -> !BenchCalls.DYNAMO.equals(x.service()))
                .filter(x -> x.operation().equals("PutObject") || x.operation().equals("ListObjectsV2")
                        || x.operation().equals("CopyObject")).count();
        double s3Class2 = m.calls().stream().filter(x -> !BenchCalls.DYNAMO.equals(x.service()))
                .filter(x -> x.operation().equals("GetObject") || x.operation().equals("HeadObject")).count();
        return c.rcu() * DDB_RRU_PER_MILLION / 1e6 + c.wcu() * DDB_WRU_PER_MILLION / 1e6
                + s3Class1 * S3_PUT_PER_1000 / 1000 + s3Class2 * S3_GET_PER_1000 / 1000;
    }
}
