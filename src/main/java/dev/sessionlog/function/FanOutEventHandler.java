package dev.sessionlog.function;

import dev.sessionlog.follow.FanOut;
import dev.sessionlog.sessions.StreamRecord;
import java.util.ArrayList;
import java.util.List;

/** The fan-out Lambda's work: a stream event in (new events, erasures' marks), the records to retry out. */
public final class FanOutEventHandler {

    private final FanOut fanOut;

    public FanOutEventHandler(FanOut fanOut) {
        this.fanOut = fanOut;
    }

    public StreamBatchResponse handle(DynamoStreamEvent event) {
        List<StreamRecord> records = new ArrayList<>(event.records == null ? 0 : event.records.size());
        if (event.records != null) {
            for (DynamoStreamEvent.Record r : event.records) {
                if (r.dynamodb != null && r.dynamodb.newImage != null) {
                    records.add(new StreamRecord(r.dynamodb.sequenceNumber, r.eventName, StreamImages.item(r.dynamodb.newImage)));
                }
            }
        }
        StreamBatchResponse response = new StreamBatchResponse();
        response.batchItemFailures = fanOut.push(records).stream().map(StreamBatchResponse.ItemFailure::new).toList();
        return response;
    }
}
