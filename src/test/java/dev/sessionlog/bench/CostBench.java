package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.api.AppendHandler;
import dev.sessionlog.api.HttpApiEvent;
import dev.sessionlog.api.HttpApiResponse;
import dev.sessionlog.api.TenantLimits;
import dev.sessionlog.event.Json;
import dev.sessionlog.function.ScheduledWork;
import dev.sessionlog.function.StreamEventHandler;
import dev.sessionlog.local.EmbeddedAws;
import dev.sessionlog.local.StreamEvents;
import dev.sessionlog.local.StreamPoller;
import dev.sessionlog.local.TemplateTables;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.sessions.SessionStore;
import dev.sessionlog.testing.ApiClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a million events cost on AWS, all in, on a reference workload (issue 19): N sessions (default
 * 8) replay generated phi-core runs (CostWorkload: growing TurnRequests, streamed MessageUpdates, tool
 * results of a few KB) paced like an agent, sent one event per request and one turn per request, each
 * way on a fresh stack (moto and S3Proxy, the tables of template.yaml, the product's Components on a
 * simulated clock). The append function's handler gets every request as API Gateway's payload 2.0
 * event; the recorder gets the table's stream (read from moto by the local runner's StreamPoller, with
 * the template's FilterCriteria) in the batches that the event source mapping's 1 s batching window
 * makes of the paced appends; the scheduled function's work (idle sweep, archival, orphan sweep) runs
 * once the hot window has passed. Every AWS call is counted and priced (BenchCalls, CapacityModel),
 * every invocation's time measured, and the storage left behind priced for 30 days.
 */
final class CostBench {

    private static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
    private static final Instant WARMUP = START.minus(Duration.ofDays(3));
    /** The event source mapping's BatchSize (template.yaml); its batching window is {@link #batchingWindowSeconds}. */
    static final int BATCH_SIZE = 500;
    /** Lambda's invocation payload limit: a batch's records are cut to fit it. */
    static final int LAMBDA_PAYLOAD = 6 * 1000 * 1000;
    /** API Gateway HTTP API meters a request per 512 KB of its size. */
    static final long API_METER_BYTES = 512 * 1024;

    // ---- prices: us-east-1, on-demand, as the rest of docs/BENCHMARKS.md uses them ----
    static final double DDB_WRU_PER_MILLION = BenchStack.DDB_WRU_PER_MILLION; // 0.625
    static final double DDB_RRU_PER_MILLION = BenchStack.DDB_RRU_PER_MILLION; // 0.125
    static final double DDB_GB_MONTH = BenchStack.DDB_GB_MONTH; // 0.25
    static final double S3_GB_MONTH = BenchStack.S3_GB_MONTH; // 0.023
    static final double S3_CLASS1_PER_1000 = BenchStack.S3_PUT_PER_1000; // 0.005: PUT, COPY, POST, LIST
    static final double S3_CLASS2_PER_1000 = BenchStack.S3_GET_PER_1000; // 0.0004: GET, HEAD
    static final double API_PER_MILLION = 1.00;
    static final double LAMBDA_REQUESTS_PER_MILLION = 0.20;
    static final double LAMBDA_GB_SECOND_ARM = 0.0000133334;
    static final double GB = 1024.0 * 1024 * 1024;

    /** template.yaml's MemorySize of the functions the workload runs. */
    static final int APPEND_MB = 1024;
    static final int RECORDER_MB = 1536;
    /** The fan-out's memory (template.yaml's FanOutFunction). */
    static final int FAN_OUT_MB = 512;
    /**
     * With no batching window, Lambda polls a stream's shard 4 times a second: the fan-out's batch holds
     * what was appended in a quarter second (of agent time here).
     */
    static final long FAN_OUT_POLL_MS = 250;
    static final int SCHEDULED_MB = 1024;

    /**
     * CPU time here times this at 1,024 MB on Lambda (as the lifecycle section assumes: about 0.6 vCPU
     * at 1,024 MB, C1 only, against a core here); Lambda's CPU grows with memory, so the factor is
     * scaled by 1024 / MemorySize (1,536 MB: 2).
     */
    static final double CPU_FACTOR_AT_1024 = 3.0;

    enum Mode {
        PER_EVENT("one event per request"), PER_TURN("one turn per request");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    enum Part {
        APPEND, RECORDER, SCHEDULED,
        /**
         * The fan-out on the stream (no batching window: a batch per poll, 4 a second), for sessions
         * nobody follows: what following costs every event.
         */
        FANOUT,
        /** The recorder function on TTL's REMOVE records (archived items let go, children's links written). */
        EXPIRY
    }

    /** Days an event's item stays in DynamoDB after the hot window: the template's ArchiveGrace. */
    static final int GRACE_DAYS = (int) dev.sessionlog.archive.ArchiveSettings.DEFAULT_GRACE.toDays();

    /** One Lambda invocation: its calls, its measured wall time (peeks taken out), and for appends the request. */
    record Invocation(Part part, BenchStack.Measured measured, int events, long requestBytes) {
    }

    /** One append request as the agent sends it: when, which session, which events. */
    private record Request(long at, int session, List<ObjectNode> events) {
    }

    /** Everything a mode's run measured. */
    record ModeRun(Mode mode, int sessions, long events, List<Invocation> invocations, long hotDynamoBytes,
                   long afterDynamoBytes, long sessionsTableBytes, long s3Bytes, long s3Objects, long checkpointBytes,
                   long eventsArchived, long itemsAfter, double appendFloorWcu, long appendRequests, int recorderBatches,
                   int filteredAfterArchival, long bodyBytes, long gzipBodyBytes, double wall) {

        List<Invocation> of(Part p) {
            return invocations.stream().filter(i -> i.part() == p).toList();
        }
    }

    private final Benchmarks.Options options;

    CostBench(Benchmarks.Options options) {
        this.options = options;
    }

    /** The batching window the run assumes: the option's, else the template parameter's default. */
    static int batchingWindowSeconds(Benchmarks.Options options) {
        if (options.costBatchingWindow() != null) {
            return options.costBatchingWindow();
        }
        Map<?, ?> parameters = (Map<?, ?>) dev.sessionlog.local.CloudFormationTemplate.load().root().get("Parameters");
        return ((Number) ((Map<?, ?>) parameters.get("RecorderBatchingWindowSeconds")).get("Default")).intValue();
    }

    String run() throws Exception {
        int sessions = options.costSessions();
        int loops = options.costLoops();
        List<CostWorkload.Session> runs = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            runs.add(CostWorkload.session("cost-s" + i, 1000 + i, loops, i * 137L));
        }
        List<ModeRun> results = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            results.add(runMode(mode, runs));
        }
        return CostReport.render(options, runs, results);
    }

    // ---- one mode ----------------------------------------------------------------------------------

    private ModeRun runMode(Mode mode, List<CostWorkload.Session> runs) throws Exception {
        long t0 = System.nanoTime();
        Benchmarks.progress("cost: %s: starting moto (the project's launcher, a Python child process) and S3Proxy", mode.label);
        try (BenchStack stack = BenchStack.start(WARMUP, s -> s.withTenantLimits(TenantLimits.DEFAULTS))) {
            Driver d = new Driver(stack, batchingWindowSeconds(options) * 1000L, options.costIds());
            // Warm-up on its own sessions, three days before: both ways of sending, recorded and archived,
            // so that the measured invocations run on warm code (Lambda restores a primed SnapStart snapshot).
            int warmLoops = Math.max(1, Math.min(3, options.costLoops()));
            d.replay(List.of(CostWorkload.session("warmup-e", 7, warmLoops, 0)), Mode.PER_EVENT, WARMUP, false);
            d.replay(List.of(CostWorkload.session("warmup-t", 8, warmLoops, 0)), Mode.PER_TURN, WARMUP, false);
            stack.clock.set(WARMUP.plus(Duration.ofHours(25)));
            stack.components.scheduledWork().run();
            d.drainStream();
            long s3Before = bucketBytes(stack.plainS3, BenchStack.BUCKET)[0];
            long s3ObjectsBefore = bucketBytes(stack.plainS3, BenchStack.BUCKET)[1];
            long checkpointsBefore = bucketBytes(stack.aws.checkpointS3(), BenchStack.BUCKET + "-checkpoints")[0];

            Benchmarks.progress("cost: %s: replaying %d sessions", mode.label, runs.size());
            long lastAt = d.replay(runs, mode, START, true);
            long events = runs.stream().mapToLong(CostWorkload.Session::events).sum();
            for (int i = 0; i < runs.size(); i++) {
                StreamKey key = d.key(i, runs.get(i).sessionId());
                SessionStore.Stored stored = stack.components.sessionStore().load(key)
                        .orElseThrow(() -> new IllegalStateException("no state for " + key.sessionId()));
                if (stored.fold().recordedThroughSeq() != runs.get(i).events()) {
                    throw new IllegalStateException(key.sessionId() + " recorded through " + stored.fold().recordedThroughSeq()
                            + " of " + runs.get(i).events());
                }
                if (stored.fold().foldErrorCount() != 0) {
                    throw new IllegalStateException(key.sessionId() + " has " + stored.fold().foldErrorCount() + " fold errors");
                }
            }

            // What DynamoDB holds in the hot window, and the floor of the append requests on these items.
            CapacityModel eventsModel = stack.calls.model();
            long hot = 0;
            int eventItems = 0;
            double floor = 0;
            for (int i = 0; i < runs.size(); i++) {
                StreamKey key = d.key(i, runs.get(i).sessionId());
                Map<Long, Integer> sizes = new TreeMap<>();
                for (Map<String, AttributeValue> item : partition(stack, key)) {
                    hot += eventsModel.storedBytes(item);
                    if (item.containsKey("event_id")) {
                        eventItems++;
                        sizes.put(Long.parseLong(item.get("seq").n()), CapacityModel.itemSize(item));
                    }
                }
                long seq = 0;
                for (int n : d.requestSizes.get(i)) {
                    long bytes = 0;
                    for (int k = 0; k < n; k++) {
                        bytes += sizes.getOrDefault(++seq, 0);
                    }
                    floor += CapacityModel.writeUnits((int) bytes) + 1; // the started KBs once, one index entry
                }
            }
            CapacityModel sessionsModel = new CapacityModel(new TemplateTables(dev.sessionlog.local.CloudFormationTemplate.load())
                    .createRequest("SessionsTable", stack.sessionsTable));
            long sessionsBytes = 0;
            Map<String, AttributeValue> start = null;
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse r = stack.plainDynamo.scan(b -> b.tableName(stack.sessionsTable).exclusiveStartKey(from));
                for (Map<String, AttributeValue> item : r.items()) {
                    if (!item.toString().contains("warmup-")) {
                        sessionsBytes += sessionsModel.storedBytes(item);
                    }
                }
                start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
            } while (start != null);

            // The scheduled function's run once the hot window (24 h) has passed for every event.
            stack.clock.set(START.plusMillis(lastAt).plus(Duration.ofHours(24)).plus(Duration.ofMinutes(5)));
            ScheduledWork.RunSummary[] summary = new ScheduledWork.RunSummary[1];
            BenchStack.Measured m = stack.measure(() -> stack.components.scheduledWork().run(), s -> summary[0] = s);
            d.invocations.add(new Invocation(Part.SCHEDULED, m, 0, 0));
            if (summary[0].eventsArchived() != events || !summary[0].failedParts().isEmpty()) {
                throw new IllegalStateException("the scheduled run archived " + summary[0].eventsArchived() + " of " + events
                        + " events; failed parts " + summary[0].failedParts());
            }
            int afterArchival = d.drainStream();

            // DynamoDB's TTL, hot window + grace after each event: the items go for free, and their
            // REMOVE records reach the recorder function (the warm-up's expire first, unmeasured).
            stack.clock.set(START.plus(Duration.ofHours(24)).plus(Duration.ofDays(GRACE_DAYS)).minus(Duration.ofHours(1)));
            dev.sessionlog.local.MotoServer.expireItems(stack.aws.dynamoEndpoint(), stack.clock.instant());
            d.drainStream();
            stack.clock.set(START.plusMillis(lastAt).plus(Duration.ofHours(24)).plus(Duration.ofDays(GRACE_DAYS)).plus(Duration.ofMinutes(5)));
            int expired = dev.sessionlog.local.MotoServer.expireItems(stack.aws.dynamoEndpoint(), stack.clock.instant());
            d.expire();
            if (expired < eventItems) {
                throw new IllegalStateException("TTL deleted " + expired + " items of the " + eventItems + " that hold the events");
            }
            long after = 0;
            long itemsAfter = 0;
            for (int i = 0; i < runs.size(); i++) {
                for (Map<String, AttributeValue> item : partition(stack, d.key(i, runs.get(i).sessionId()))) {
                    after += eventsModel.storedBytes(item);
                    itemsAfter++;
                }
            }
            long[] s3 = bucketBytes(stack.plainS3, BenchStack.BUCKET);
            long checkpoints = bucketBytes(stack.aws.checkpointS3(), BenchStack.BUCKET + "-checkpoints")[0];
            double wall = (System.nanoTime() - t0) / 1e9;
            Benchmarks.progress("cost: %s: %,d events, %d append requests, %d recorder batches, archived in one run; %.0f s",
                    mode.label, events, d.appendRequests, d.batches, wall);
            return new ModeRun(mode, runs.size(), events, List.copyOf(d.invocations), hot, after, sessionsBytes,
                    s3[0] - s3Before, s3[1] - s3ObjectsBefore, checkpoints - checkpointsBefore, summary[0].eventsArchived(),
                    itemsAfter, floor, d.appendRequests, d.batches, afterArchival, d.bodyBytes, d.gzipBodyBytes, wall);
        }
    }

    /** Sends the workload, runs the recorder on the stream in batching windows, and keeps what it measured. */
    private static final class Driver {
        final BenchStack stack;
        final AppendHandler append;
        final StreamEventHandler recorder;
        final dev.sessionlog.follow.FanOut fanOut;
        final StreamPoller poller;
        final List<Invocation> invocations = new ArrayList<>();
        /** Per measured session: the events of each of its requests, in order. */
        final Map<Integer, List<Integer>> requestSizes = new LinkedHashMap<>();
        long appendRequests;
        int batches;
        long bodyBytes;
        long gzipBodyBytes;
        private boolean measuring;
        private Part part = Part.RECORDER;
        /** The fan-out's stream batch being gathered: its records, and the events they hold. */
        private final List<dev.sessionlog.sessions.StreamRecord> fanOutPending = new ArrayList<>();
        private int fanOutEvents;

        final long batchWindowMs;
        /** Send an event_id with every event, as the clients make them (UUIDv7: ordered by time). */
        final boolean clientIds;
        private final java.util.Random idBits = new java.util.Random(7);
        private long lastIdMillis = -1;
        private int idCounter;

        Driver(BenchStack stack, long batchWindowMs, boolean clientIds) {
            this.batchWindowMs = batchWindowMs;
            this.clientIds = clientIds;
            this.stack = stack;
            this.append = stack.components.appendHandler();
            this.recorder = stack.components.streamEventHandler();
            this.fanOut = stack.components.fanOut(new dev.sessionlog.follow.Connections() {
                @Override
                public Delivery send(String connectionId, String message) {
                    throw new IllegalStateException("nobody follows the cost workload's sessions");
                }

                @Override
                public void close(String connectionId) {
                }
            });
            this.poller = new StreamPoller(stack.plainDynamo, stack.aws.streams(), stack.eventsTable, EmbeddedAws.REGION.id());
        }

        /** One tenant per session: eight users, each with an agent (a tenant's limit is 100 requests a second). */
        StreamKey key(int session, String sessionId) {
            return new StreamKey("cost-t" + session, sessionId);
        }

        /**
         * Replays the sessions from {@code base}, in time order, with the recorder's batches at the close of
         * each batching window; returns the time of the last request (ms after base).
         */
        long replay(List<CostWorkload.Session> sessions, Mode mode, Instant base, boolean measure) {
            measuring = measure;
            List<Request> requests = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                for (CostWorkload.Turn turn : sessions.get(i).turns()) {
                    if (mode == Mode.PER_EVENT) {
                        for (CostWorkload.Timed e : turn.events()) {
                            requests.add(new Request(e.at(), i, List.of(e.event())));
                        }
                    } else {
                        requests.add(new Request(turn.end(), i, turn.events().stream().map(CostWorkload.Timed::event).toList()));
                    }
                }
            }
            requests.sort(Comparator.comparingLong(Request::at).thenComparingInt(Request::session));
            long windowOpen = -1;
            int pending = 0;
            long last = 0;
            long fanOutOpen = -1;
            for (Request r : requests) {
                if (fanOutOpen >= 0 && r.at() >= fanOutOpen + FAN_OUT_POLL_MS) {
                    pushFanOut();
                    fanOutOpen = -1;
                }
                if (fanOutOpen < 0) {
                    fanOutOpen = r.at();
                }
                if (windowOpen >= 0 && r.at() >= windowOpen + batchWindowMs) {
                    stack.clock.set(base.plusMillis(windowOpen + batchWindowMs));
                    deliver();
                    windowOpen = -1;
                    pending = 0;
                }
                stack.clock.set(base.plusMillis(r.at()));
                send(sessions.get(r.session()).sessionId(), r.session(), r.events());
                last = r.at();
                if (windowOpen < 0) {
                    windowOpen = r.at();
                }
                pending += r.events().size();
                if (pending >= BATCH_SIZE) {
                    deliver();
                    windowOpen = -1;
                    pending = 0;
                }
            }
            pushFanOut();
            if (windowOpen >= 0) {
                stack.clock.set(base.plusMillis(windowOpen + batchWindowMs));
                deliver();
            }
            measuring = false;
            return last;
        }

        /** RFC 9562 UUIDv7: 48 bits of milliseconds, a 12-bit counter within one, random bits; sorts by time. */
        private String uuidv7(long millis) {
            idCounter = millis == lastIdMillis ? idCounter + 1 : 0;
            lastIdMillis = millis;
            long msb = (millis << 16) | 0x7000L | (idCounter & 0x0FFF);
            long lsb = (idBits.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
            return new java.util.UUID(msb, lsb).toString();
        }

        private void send(String sessionId, int session, List<ObjectNode> events) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode list = body.putArray("events");
            for (ObjectNode e : events) {
                ObjectNode envelope = list.addObject();
                if (clientIds) {
                    envelope.put("event_id", uuidv7(stack.clock.millis()));
                }
                envelope.set("event", e);
            }
            String text = Json.write(body);
            HttpApiEvent event;
            try {
                event = Json.MAPPER.treeToValue(ApiClient.event("POST", key(session, sessionId).tenant(),
                        "/v1/sessions/" + sessionId + "/events", text), HttpApiEvent.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Predicate<HttpApiResponse> created = r -> r.statusCode == 201;
            if (!measuring) {
                HttpApiResponse r = append.handle(event);
                if (!created.test(r)) {
                    throw new IllegalStateException("append answered " + r.statusCode + ": " + r.body);
                }
                return;
            }
            HttpApiResponse[] answer = new HttpApiResponse[1];
            BenchStack.Measured m = stack.measure(() -> answer[0] = append.handle(event), r -> {
                if (!created.test(r)) {
                    throw new IllegalStateException("append answered " + r.statusCode + ": " + r.body);
                }
            });
            int bytes = text.getBytes(StandardCharsets.UTF_8).length;
            invocations.add(new Invocation(Part.APPEND, m, events.size(), bytes));
            // the request's item, for the fan-out's next stream batch
            long head = Json.parse(answer[0].body.getBytes(StandardCharsets.UTF_8)).get("head_seq").asLong();
            fanOutPending.addAll(stack.records(key(session, sessionId), head - events.size()));
            fanOutEvents += events.size();
            requestSizes.computeIfAbsent(session, k -> new ArrayList<>()).add(events.size());
            appendRequests++;
            for (ObjectNode e : events) {
                byte[] json = Json.bytes(e);
                bodyBytes += json.length;
                gzipBodyBytes += gzip(json).length;
            }
        }

        /** The fan-out's stream batch: what was appended since the last poll, for sessions nobody follows. */
        private void pushFanOut() {
            if (fanOutPending.isEmpty()) {
                return;
            }
            List<dev.sessionlog.sessions.StreamRecord> batch = List.copyOf(fanOutPending);
            int events = fanOutEvents;
            fanOutPending.clear();
            fanOutEvents = 0;
            if (!measuring) {
                fanOut.push(batch);
                return;
            }
            BenchStack.Measured pushed = stack.measure(() -> fanOut.push(batch), f -> {
                if (!f.isEmpty()) {
                    throw new IllegalStateException("the fan-out failed " + f.size() + " records");
                }
            });
            invocations.add(new Invocation(Part.FANOUT, pushed, events, 0));
        }

        /** Polls the stream (every shard, all that is new) and hands the records that pass the filter to the recorder. */
        private void deliver() {
            while (poller.pollOnce(this::invoke) > 0) {
                // more than a GetRecords page: poll again
            }
        }

        /** TTL's REMOVE records, in the batches the event source mapping makes, measured as {@link Part#EXPIRY}. */
        void expire() {
            measuring = true;
            part = Part.EXPIRY;
            deliver();
            part = Part.RECORDER;
            measuring = false;
        }

        /** The records left out by the event source mapping's FilterCriteria are dropped; returns how many passed. */
        int drainStream() {
            int[] passed = {0};
            boolean was = measuring;
            measuring = false;
            while (poller.pollOnce(event -> {
                passed[0] += filter(event).size();
                return invoke(event);
            }) > 0) {
                // drain
            }
            measuring = was;
            return passed[0];
        }

        private List<String> invoke(ObjectNode event) {
            List<JsonNode> records = filter(event);
            List<String> failed = new ArrayList<>();
            int from = 0;
            while (from < records.size()) {
                ObjectNode batch = Json.MAPPER.createObjectNode();
                ArrayNode out = batch.putArray("Records");
                long bytes = 0;
                while (from < records.size() && out.size() < BATCH_SIZE) {
                    long size = Json.bytes(records.get(from)).length;
                    if (out.size() > 0 && bytes + size > LAMBDA_PAYLOAD) {
                        break;
                    }
                    out.add(records.get(from++));
                    bytes += size;
                }
                if (!measuring) {
                    failed.addAll(StreamEvents.deliver(recorder, batch));
                    continue;
                }
                int n = out.size();
                BenchStack.Measured m = stack.measure(() -> StreamEvents.deliver(recorder, batch), f -> {
                    if (!f.isEmpty()) {
                        throw new IllegalStateException("the recorder failed " + f.size() + " records");
                    }
                });
                invocations.add(new Invocation(part, m, n, bytes));
                if (part == Part.RECORDER) {
                    batches++;
                }
            }
            if (!failed.isEmpty()) {
                throw new IllegalStateException("the recorder failed " + failed.size() + " records");
            }
            return List.of();
        }

        /**
         * template.yaml's FilterCriteria: INSERTs of an event (NewImage.event_id) or of a fork's link, and
         * TTL's REMOVEs of an event (the DynamoDB service as userIdentity, OldImage.event_id).
         */
        private static List<JsonNode> filter(ObjectNode event) {
            List<JsonNode> passed = new ArrayList<>();
            for (JsonNode r : event.path("Records")) {
                JsonNode image = r.path("dynamodb").path("NewImage");
                boolean inserted = "INSERT".equals(r.path("eventName").asText())
                        && (image.path("event_id").has("S") || image.path("fork_link").path("BOOL").asBoolean(false));
                boolean expired = "REMOVE".equals(r.path("eventName").asText())
                        && "Service".equals(r.path("userIdentity").path("type").asText())
                        && "dynamodb.amazonaws.com".equals(r.path("userIdentity").path("principalId").asText())
                        && r.path("dynamodb").path("OldImage").path("event_id").has("S");
                if (inserted || expired) {
                    passed.add(r);
                }
            }
            return passed;
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static List<Map<String, AttributeValue>> partition(BenchStack stack, StreamKey key) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = stack.plainDynamo.query(b -> b.tableName(stack.eventsTable).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(key.pk()))).consistentRead(true)
                    .exclusiveStartKey(from));
            items.addAll(r.items());
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /** {bytes, objects} in a bucket. */
    private static long[] bucketBytes(S3Client s3, String bucket) {
        long bytes = 0;
        long objects = 0;
        String token = null;
        do {
            String from = token;
            ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).continuationToken(from));
            for (S3Object o : r.contents()) {
                bytes += o.size();
                objects++;
            }
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        return new long[] {bytes, objects};
    }

    static String percent(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
