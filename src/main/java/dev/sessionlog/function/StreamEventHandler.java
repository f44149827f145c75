package dev.sessionlog.function;

import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.sessions.StreamRecorder;
import java.util.ArrayList;
import java.util.List;

/** The recorder Lambda's work: a stream event (or a rebuild request) in, the partial batch response out. */
public final class StreamEventHandler {

    private final StreamRecorder recorder;

    public StreamEventHandler(StreamRecorder recorder) {
        this.recorder = recorder;
    }

    public StreamBatchResponse handle(DynamoStreamEvent event) {
        StreamBatchResponse response = new StreamBatchResponse();
        if (event.rebuild != null) {
            SessionFold fold = recorder.rebuild(new StreamKey(event.rebuild.tenant, event.rebuild.sessionId));
            response.rebuilt = new StreamBatchResponse.RebuildResult(fold.sessionId(), fold.recordedThroughSeq(), fold.loopCount());
            return response;
        }
        List<StreamRecord> records = new ArrayList<>(event.records.size());
        for (DynamoStreamEvent.Record r : event.records) {
            records.add(new StreamRecord(r.dynamodb.sequenceNumber, r.eventName, StreamImages.item(r.dynamodb.newImage)));
        }
        response.batchItemFailures = recorder.record(records).stream().map(StreamBatchResponse.ItemFailure::new).toList();
        return response;
    }
}
