package dev.sessionlog.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Lambda's event source mapping, on this machine: reads a table's stream shard by shard (from the
 * oldest record kept, or from now on) and hands each batch, as the Lambda event JSON, to a function. Records the function
 * reports as failed are delivered again, with everything after them, as Lambda does.
 */
public final class StreamPoller {

    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final String region;
    private final Map<String, String> iterators = new HashMap<>();
    private final Set<String> finishedShards = new java.util.HashSet<>();
    private final List<Record> pending = new ArrayList<>();

    /** A poller from the oldest record the stream keeps (TRIM_HORIZON), as a new event source mapping reads. */
    public StreamPoller(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String table, String region) {
        this.streams = streams;
        this.streamArn = dynamo.describeTable(b -> b.tableName(table)).table().latestStreamArn();
        this.region = region;
    }

    /** A poller of the records written from now on (LATEST, taken here), for a reader that wants only those. */
    public static StreamPoller fromNow(DynamoDbClient dynamo, DynamoDbStreamsClient streams, String table, String region) {
        StreamPoller poller = new StreamPoller(dynamo, streams, table, region);
        for (Shard shard : streams.describeStream(b -> b.streamArn(poller.streamArn)).streamDescription().shards()) {
            poller.iterators.put(shard.shardId(), streams.getShardIterator(b -> b.streamArn(poller.streamArn)
                    .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.LATEST)).shardIterator());
        }
        return poller;
    }

    /**
     * One poll: new records of every shard, with any earlier failures first, go to {@code function}
     * as one Lambda event; it answers the sequence numbers to retry.
     *
     * @return how many records were delivered
     */
    public int pollOnce(Function<ObjectNode, List<String>> function) {
        List<Record> batch = new ArrayList<>(pending);
        pending.clear();
        for (Shard shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
            if (finishedShards.contains(shard.shardId())) {
                continue;
            }
            String iterator = iterators.computeIfAbsent(shard.shardId(), id -> streams.getShardIterator(b -> b
                    .streamArn(streamArn).shardId(id).shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator());
            GetRecordsResponse r = streams.getRecords(b -> b.shardIterator(iterator).limit(1000));
            batch.addAll(r.records());
            if (r.nextShardIterator() == null) {
                finishedShards.add(shard.shardId());
                iterators.remove(shard.shardId());
            } else {
                iterators.put(shard.shardId(), r.nextShardIterator());
            }
        }
        if (batch.isEmpty()) {
            return 0;
        }
        List<String> failed = function.apply(StreamEventJson.lambdaEvent(batch, streamArn, region));
        if (!failed.isEmpty()) {
            // Like Lambda: retry from the first failed record of the batch on.
            Set<String> failedSet = Set.copyOf(failed);
            boolean retrying = false;
            for (Record record : batch) {
                retrying |= failedSet.contains(record.dynamodb().sequenceNumber());
                if (retrying) {
                    pending.add(record);
                }
            }
        }
        return batch.size();
    }
}
