package dev.sessionlog.log.dynamo;

import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * One BatchWriteItem of up to 25 requests, to the end: what DynamoDB leaves unprocessed (it throttled)
 * goes again after a growing pause, as AWS advises, rather than at once and again and again.
 */
public final class BatchWrites {

    public static final int MAX_REQUESTS = 25;
    static final int MAX_ROUNDS = 12;

    private BatchWrites() {
    }

    public static void write(DynamoDbClient ddb, String table, List<WriteRequest> batch) {
        Map<String, List<WriteRequest>> request = Map.of(table, batch);
        for (int round = 0; !request.isEmpty(); round++) {
            if (round > 0) {
                pause(round);
            }
            Map<String, List<WriteRequest>> current = request;
            BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(current)
                    .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
            request = r.hasUnprocessedItems() && !r.unprocessedItems().isEmpty() ? r.unprocessedItems() : Map.of();
        }
    }

    private static void pause(int round) {
        if (round >= MAX_ROUNDS) {
            throw new IllegalStateException("DynamoDB left writes unprocessed " + round + " times in a row (throttled)");
        }
        try {
            Thread.sleep(Math.min(2_000L, 25L << Math.min(round, 7)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while DynamoDB throttled a batch write", e);
        }
    }
}
