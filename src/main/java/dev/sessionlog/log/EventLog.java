package dev.sessionlog.log;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The log: the port that appends, reads, forks and erasure marks go through. Implemented on DynamoDB
 * ({@link dev.sessionlog.log.dynamo.DynamoEventLog}: a session's own partition), over the archive and a fork's sources
 * ({@code SeamlessEventLog}: the session as readers see it), and in memory for fast tests
 * ({@link dev.sessionlog.log.memory.InMemoryEventLog}).
 */
public interface EventLog extends EventReader {

    /**
     * Stores the request's events atomically at the next seqs, or recognises a retry.
     *
     * @throws SeqConflictException       when {@code expected} is specific and the head differs
     * @throws PartialDuplicateException  when some but not all of the events are already stored
     * @throws StoreBusyException         when bounded retries could not get the write through
     * @throws SessionErasingException    when the session is being erased
     * @throws SessionErasedException     when the session was erased
     */
    AppendResult append(StreamKey key, AppendRequest request);

    /** A page of the session's events as the spec asks, with the watermark it was read under. */
    EventPage readPage(StreamKey key, ReadSpec spec);

    /** The session's head without its body: seq, chain, lineage, and whether it is being erased. */
    Head headInfo(StreamKey key);

    /**
     * Whether anything was written after the head {@code headSeq} (an event, or an erasure's mark):
     * what a waiting reader polls, as cheaply as the store can tell it; {@link #headInfo} then says what.
     */
    default boolean writtenAfter(StreamKey key, long headSeq) {
        Head head = headInfo(key);
        return head.seq() > headSeq || head.erasing();
    }

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

    /**
     * A new session that reads as the source's first {@code atSeq} events (the head when null) and goes
     * on on its own; or, for the same request again, the fork it made.
     *
     * @throws SessionMissingException when there is no source
     * @throws SessionExistsException  when the new id is another session's
     * @throws SessionErasedException  when the new id was erased
     */
    ForkResult fork(StreamKey source, String newSessionId, Long atSeq);

    /**
     * Marks the session for erasure: from now on no event can be appended and readers find nothing.
     *
     * @throws SessionMissingException when there is no such session
     * @throws SessionErasedException  when it was erased already
     */
    EraseRequest requestErase(StreamKey key);

    /** True when the session was erased (its tombstone is there). */
    boolean isErased(StreamKey key);

    /** Whether a session with this head is being erased or was: nothing may bring it back. */
    default boolean erasedOrErasing(StreamKey key, Head head) {
        return head.erasing() || head.seq() == 0 && isErased(key);
    }
}
