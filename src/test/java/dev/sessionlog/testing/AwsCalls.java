package dev.sessionlog.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;

/**
 * Records every AWS call the SDK makes (service, operation, DynamoDB consumed capacity). The
 * numbers that decide cost on AWS are exact here: calls and capacity units, not timings.
 * Quarkus instantiates it from {@code quarkus.dynamodb.interceptors}, so the record is global.
 */
public class AwsCalls implements ExecutionInterceptor {

    public record Call(String service, String operation, double capacityUnits, Object request) {
    }

    private static final ConcurrentLinkedQueue<Call> CALLS = new ConcurrentLinkedQueue<>();

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        CALLS.add(new Call(service, operation, consumedCapacity(context.response()), context.request()));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        CALLS.add(new Call(service, operation, 0, context.request()));
    }

    /** The capacity units DynamoDB reported in a response (ReturnConsumedCapacity); NaN when none were. */
    public static double consumedCapacity(SdkResponse response) {
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

    public static void reset() {
        CALLS.clear();
    }

    public static List<Call> calls() {
        return List.copyOf(CALLS);
    }

    public static List<Call> calls(String service) {
        return CALLS.stream().filter(c -> c.service().equals(service)).toList();
    }

    /** Operation name to count, for one service. */
    public static Map<String, Long> countByOperation(String service) {
        Map<String, Long> counts = new TreeMap<>();
        calls(service).forEach(c -> counts.merge(c.operation(), 1L, Long::sum));
        return counts;
    }

}
