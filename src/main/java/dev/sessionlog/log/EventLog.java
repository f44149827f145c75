package dev.sessionlog.log;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The hot log: the port that append and the read paths use. Implemented on DynamoDB
 * ({@link DynamoEventLog}) and in memory for fast tests ({@link InMemoryEventLog}).
 */
public interface EventLog extends EventReader {

    /**
     * Stores the request's events atomically at the next seqs, or recognises a retry.
     *
     * @throws SeqConflictException       when {@code expected} is specific and the head differs
     * @throws PartialDuplicateException  when some but not all of the events are already stored
     * @throws StoreBusyException         when bounded retries could not get the write through
     */
    AppendResult append(StreamKey key, AppendRequest request);

    /**
     * Events after {@code afterSeq}, with the watermark they were read under, from one read of it:
     * at most {@code limit}, and no more than about {@code maxBytes} of event JSON (at least one).
     */
    EventPage readPage(StreamKey key, long afterSeq, int limit, long maxBytes);

    /** The seq of the session's newest event, 0 when it has none; reads no event body. */
    long headSeq(StreamKey key);

    /** The session's archival watermark: every seq at or below it is served from the archive. */
    default long archivedThrough(StreamKey key) {
        return 0;
    }

    /** The newest event of the session, if any. */
    Optional<EventRecord> head(StreamKey key);

    /** The seq of the session's event with the given client or server id; reads no event body. */
    OptionalLong eventSeq(StreamKey key, String eventId);

    /**
     * Events of the tenant, in any session, whose parent is the event {@code eventId} of the session
     * {@code parent}: at most {@code limit}, and no more than about {@code maxBytes} of event JSON.
     */
    ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes);
}
