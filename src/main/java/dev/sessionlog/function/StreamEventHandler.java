package dev.sessionlog.function;

import dev.sessionlog.archive.ArchiveRescue;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.recorder.SessionFold;
import dev.sessionlog.sessions.StreamRecord;
import dev.sessionlog.sessions.StreamRecorder;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder Lambda's work: a stream event (or a rebuild request) in, the partial batch response
 * out. New events go to the recorder; items TTL deleted go to the archive's rescue (which lets go
 * of those already archived).
 */
public final class StreamEventHandler {

    private final StreamRecorder recorder;
    private final ArchiveRescue rescue;

    public StreamEventHandler(StreamRecorder recorder, ArchiveRescue rescue) {
        this.recorder = recorder;
        this.rescue = rescue;
    }

    public StreamBatchResponse handle(DynamoStreamEvent event) {
        StreamBatchResponse response = new StreamBatchResponse();
        if (event.rebuild != null) {
            SessionFold fold = recorder.rebuild(new StreamKey(event.rebuild.tenant, event.rebuild.sessionId));
            response.rebuilt = new StreamBatchResponse.RebuildResult(fold.sessionId(), fold.recordedThroughSeq(), fold.loopCount());
            return response;
        }
        List<StreamRecord> records = new ArrayList<>(event.records.size());
        List<ArchiveRescue.Expired> expired = new ArrayList<>();
        for (DynamoStreamEvent.Record r : event.records) {
            if (r.isExpiry()) {
                expired.add(new ArchiveRescue.Expired(r.dynamodb.sequenceNumber, StreamImages.item(r.dynamodb.oldImage)));
            } else {
                records.add(new StreamRecord(r.dynamodb.sequenceNumber, r.eventName, StreamImages.item(r.dynamodb.newImage)));
            }
        }
        // Lambda retries from the lowest sequence number reported: the union of both parts' failures.
        List<String> failed = new ArrayList<>(recorder.record(records));
        if (!expired.isEmpty()) {
            failed.addAll(rescue.rescue(expired));
        }
        response.batchItemFailures = failed.stream().map(StreamBatchResponse.ItemFailure::new).toList();
        return response;
    }
}
