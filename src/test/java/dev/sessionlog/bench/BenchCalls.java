package dev.sessionlog.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Counts the AWS calls of a measured request: operation, the capacity the service reported
 * (ReturnConsumedCapacity; DynamoDB Local's numbers) and the capacity AWS would charge
 * ({@link CapacityModel}). One instance per client pair, so that nothing is global; recording is
 * switched on around each measured request, the size registry of the model is fed always.
 */
final class BenchCalls implements ExecutionInterceptor {

    /** The SDK's service name of DynamoDB (SdkExecutionAttribute.SERVICE_NAME). */
    static final String DYNAMO = "DynamoDb";

    /**
     * One call. reported: the service's ConsumedCapacity total, NaN when it returned none; index: the
     * index a Query read, null for the table and other operations.
     */
    record Call(String service, String operation, String index, double reported, CapacityModel.Cost model,
                boolean failed, long nanos) {
    }

    private static final ExecutionAttribute<Long> STARTED = new ExecutionAttribute<>("bench.started");

    private final CapacityModel model;
    private final List<Call> calls = new ArrayList<>();
    private volatile boolean recording;
    private volatile boolean capture;
    private final List<Map<String, AttributeValue>> captured = new ArrayList<>();

    BenchCalls(CapacityModel model) {
        this.model = model;
    }

    CapacityModel model() {
        return model;
    }

    synchronized void start() {
        calls.clear();
        recording = true;
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
        attributes.putAttribute(STARTED, System.nanoTime());
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
        if (dynamo) {
            model.observeWrites(context.request());
            if (capture) {
                synchronized (this) {
                    captured.addAll(CapacityModel.writtenItems(context.request()));
                }
            }
        }
        if (recording) {
            CapacityModel.Cost cost = dynamo ? model.cost(context.request(), context.response()) : CapacityModel.Cost.ZERO;
            synchronized (this) {
                calls.add(new Call(service, operation, index(context.request()), reported(context.response()), cost, false,
                        nanos));
            }
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        if (recording) {
            long nanos = elapsed(attributes);
            String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
            String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            synchronized (this) {
                calls.add(new Call(service, operation, index(context.request()), Double.NaN, CapacityModel.Cost.ZERO, true,
                        nanos));
            }
        }
    }

    private static String index(SdkRequest request) {
        return request instanceof QueryRequest q ? q.indexName() : null;
    }

    private static double reported(SdkResponse response) {
        List<ConsumedCapacity> consumed = new ArrayList<>();
        response.getValueForField("ConsumedCapacity", Object.class).ifPresent(c -> {
            if (c instanceof ConsumedCapacity one) {
                consumed.add(one);
            } else if (c instanceof List<?> many) {
                many.forEach(x -> consumed.add((ConsumedCapacity) x));
            }
        });
        if (consumed.isEmpty()) {
            return Double.NaN;
        }
        return consumed.stream().mapToDouble(c -> c.capacityUnits() == null ? 0 : c.capacityUnits()).sum();
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
