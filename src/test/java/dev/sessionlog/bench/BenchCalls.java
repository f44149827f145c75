package dev.sessionlog.bench;

import dev.sessionlog.testing.AwsCalls;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Counts the AWS calls of a measured request: operation, the capacity the service reported
 * (ReturnConsumedCapacity; the engine's numbers, moto's flat per-call figures, not AWS's) and the
 * capacity AWS would charge ({@link CapacityModel}, one per table). One instance per client pair,
 * so that nothing is global; recording is switched on around each measured request, the item
 * registry of the models is fed always.
 *
 * <p>An UpdateItem's cost depends on the item before and after it, which the request does not
 * tell. Given a peek client (one without this interceptor), a recorded UpdateItem is priced from
 * a consistent GetItem of its key before and after the call; the time of those reads is kept out
 * of the call's time and summed in {@link #peekNanos()}, for the caller to take out of its own.
 */
final class BenchCalls implements ExecutionInterceptor {

    /** The SDK's service name of DynamoDB (SdkExecutionAttribute.SERVICE_NAME). */
    static final String DYNAMO = "DynamoDb";

    /**
     * One call. reported: the service's ConsumedCapacity total, NaN when it returned none; index: the
     * index a Query read, null for the table and other operations; table: the DynamoDB table the call
     * concerns, or for S3 its bucket (the archive's and the checkpoints' are told apart by it); started: its
     * System.nanoTime() at the start (calls made at once overlap).
     */
    record Call(String service, String operation, String index, double reported, CapacityModel.Cost model,
                boolean failed, long nanos, String table, long started) {
    }

    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("bench.started");
    private static final ExecutionAttribute<Map<String, AttributeValue>> BEFORE = new ExecutionAttribute<>("bench.before");

    private final List<CapacityModel> models;
    private final List<Call> calls = new ArrayList<>();
    private volatile boolean recording;
    private volatile boolean capture;
    private final List<Map<String, AttributeValue>> captured = new ArrayList<>();
    private volatile DynamoDbClient peek;
    private final AtomicLong peekNanos = new AtomicLong();

    BenchCalls(CapacityModel model) {
        this(List.of(model));
    }

    BenchCalls(List<CapacityModel> models) {
        this.models = List.copyOf(models);
    }

    CapacityModel model() {
        return models.get(0);
    }

    /** Prices recorded UpdateItems by reading the item before and after with this client (no interceptor). */
    BenchCalls peekWith(DynamoDbClient client) {
        this.peek = client;
        return this;
    }

    /** Time spent in the before/after reads of UpdateItems since {@link #start()}. */
    long peekNanos() {
        return peekNanos.get();
    }

    synchronized void start() {
        calls.clear();
        peekNanos.set(0);
        recording = true;
    }

    /** How many calls were recorded since {@link #start()}: marks phases of a measured step. */
    synchronized int recorded() {
        return calls.size();
    }

    synchronized List<Call> stop() {
        recording = false;
        return List.copyOf(calls);
    }

    /** Keeps a copy of every item written from now on (for replaying the same items raw). */
    synchronized void capture(boolean on) {
        capture = on;
    }

    synchronized List<Map<String, AttributeValue>> captured() {
        return List.copyOf(captured);
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (recording && peek != null && context.request() instanceof UpdateItemRequest update) {
            attributes.putAttribute(BEFORE, read(update.tableName(), update.key()));
        }
        attributes.putAttribute(STARTED, System.nanoTime());
    }

    /** A consistent read of the item, outside the measured time; empty when there is none. */
    private Map<String, AttributeValue> read(String table, Map<String, AttributeValue> key) {
        long t0 = System.nanoTime();
        try {
            GetItemResponse r = peek.getItem(b -> b.tableName(table).key(key).consistentRead(true));
            return r.hasItem() ? r.item() : Map.of();
        } finally {
            peekNanos.addAndGet(System.nanoTime() - t0);
        }
    }

    private CapacityModel modelOf(String table) {
        for (CapacityModel m : models) {
            if (m.table().equals(table)) {
                return m;
            }
        }
        return null;
    }

    private static long started(ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        return started == null ? System.nanoTime() : started;
    }

    private static long elapsed(ExecutionAttributes attributes) {
        Long started = attributes.getAttribute(STARTED);
        return started == null ? 0 : System.nanoTime() - started;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        long nanos = elapsed(attributes);
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        boolean dynamo = BenchCalls.DYNAMO.equals(service);
        SdkRequest request = context.request();
        CapacityModel.Cost cost = CapacityModel.Cost.ZERO;
        if (dynamo) {
            // Priced before the models learn of this call's writes: a replaced item costs its old size too.
            boolean peeked = false;
            if (recording && request instanceof UpdateItemRequest update && attributes.getAttribute(BEFORE) != null
                    && modelOf(update.tableName()) != null) {
                CapacityModel m = modelOf(update.tableName());
                Map<String, AttributeValue> after = read(update.tableName(), update.key());
                cost = m.updateCost(attributes.getAttribute(BEFORE), after);
                m.forget(update.key());
                if (!after.isEmpty()) {
                    m.observe(after);
                }
                peeked = true;
            } else if (recording) {
                for (CapacityModel m : models) {
                    cost = cost.plus(m.cost(request, context.response()));
                }
            }
            if (!peeked) {
                for (CapacityModel m : models) {
                    m.observeWrites(request);
                }
            }
            if (capture) {
                synchronized (this) {
                    captured.addAll(CapacityModel.writtenItems(request));
                }
            }
        }
        if (recording) {
            synchronized (this) {
                calls.add(new Call(service, operation, index(request), reported(context.response()), cost, false, nanos,
                        tableOf(request), started(attributes)));
            }
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (recording) {
            long nanos = elapsed(attributes);
            String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            SdkRequest request = context.request();
            CapacityModel.Cost cost = CapacityModel.Cost.ZERO;
            if (context.exception() instanceof ConditionalCheckFailedException) {
                CapacityModel m = modelOf(CapacityModel.tableOf(request));
                if (m != null) {
                    cost = m.failedWriteCost(request, attributes.getAttribute(BEFORE));
                }
            }
            synchronized (this) {
                calls.add(new Call(service, operation, index(request), Double.NaN, cost, true, nanos, tableOf(request),
                        started(attributes)));
            }
        }
    }

    /** The table a DynamoDB call concerns (the first of a batch or transaction), or an S3 call's bucket. */
    private String tableOf(SdkRequest request) {
        String direct = CapacityModel.tableOf(request);
        if (direct != null) {
            return direct;
        }
        for (CapacityModel m : models) {
            if (m.concerns(request)) {
                return m.table();
            }
        }
        return request.getValueForField("Bucket", String.class).orElse(null);
    }

    private static String index(SdkRequest request) {
        return request instanceof QueryRequest q ? q.indexName() : null;
    }

    private static double reported(SdkResponse response) {
        return AwsCalls.consumedCapacity(response);
    }

    /** "Query 2 + TransactWriteItems 1" for a request's calls (DynamoDB and S3). */
    static String breakdown(List<Call> calls) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Call c : calls) {
            String name = (BenchCalls.DYNAMO.equals(c.service()) ? "" : c.service() + ".") + c.operation();
            counts.merge(name, 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((op, n) -> parts.add(abbreviate(op) + "×" + n));
        return String.join(" + ", parts);
    }

    static String abbreviate(String operation) {
        return switch (operation) {
            case "TransactWriteItems" -> "TxWrite";
            default -> operation;
        };
    }
}
