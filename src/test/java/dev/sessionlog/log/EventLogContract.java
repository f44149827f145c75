package dev.sessionlog.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The log's contract, written once and run against every implementation of {@link EventLog}. */
public interface EventLogContract {

    EventLog log();

    default StreamKey newSession() {
        return new StreamKey("contract-" + UUID.randomUUID(), "s-" + UUID.randomUUID());
    }

    static NewEvent event(String id, String parent, int n) {
        return event(id, parent, null, n);
    }

    static NewEvent event(String id, String parent, String parentSession, int n) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", "Note").put("n", n);
        return new NewEvent(id, parent, parentSession, e, Json.bytes(e));
    }

    static AppendRequest request(Long expected, NewEvent... events) {
        return new AppendRequest(List.of(events), expected == null ? OptionalLong.empty() : OptionalLong.of(expected));
    }

    @Test
    default void appendsGetGaplessSeqsFromOneAndReadBackInOrder() {
        StreamKey key = newSession();
        assertEquals(1, log().append(key, request(null, event("a", null, 1))).headSeq());
        AppendResult two = log().append(key, request(1L, event("b", null, 2), event("c", "a", 3)));
        assertEquals(List.of(2L, 3L), two.events().stream().map(AppendedEvent::seq).toList());
        List<EventRecord> read = log().read(key, 0, 10);
        assertEquals(List.of(1L, 2L, 3L), read.stream().map(EventRecord::seq).toList());
        assertEquals(3, read.get(2).event().get("n").asInt());
        assertEquals("a", read.get(2).parentEventId());
        assertEquals(List.of(3L), log().read(key, 2, 10).stream().map(EventRecord::seq).toList());
        assertEquals(3, log().head(key).orElseThrow().seq());
        assertEquals(2, log().eventSeq(key, "b").orElseThrow());
        assertTrue(log().eventSeq(key, "zz").isEmpty());
        assertTrue(log().head(newSession()).isEmpty());
    }

    @Test
    default void aRetryIsAnsweredWithTheFirstSeqsAndWritesNothing() {
        StreamKey key = newSession();
        AppendRequest first = request(null, event("r1", null, 1), event("r2", null, 2));
        log().append(key, first);
        log().append(key, request(null, event("x", null, 3)));
        AppendResult retry = log().append(key, first);
        assertFalse(retry.wroteAny());
        assertEquals(List.of(1L, 2L), retry.events().stream().map(AppendedEvent::seq).toList());
        assertEquals(3, log().head(key).orElseThrow().seq());
    }

    @Test
    default void aMixOfStoredAndNewIdsIsRejectedWhole() {
        StreamKey key = newSession();
        log().append(key, request(null, event("m1", null, 1)));
        PartialDuplicateException e = assertThrows(PartialDuplicateException.class,
                () -> log().append(key, request(null, event("m1", null, 1), event("m2", null, 2))));
        assertEquals(List.of("m1"), e.storedEventIds());
        assertEquals(1, log().head(key).orElseThrow().seq());
    }

    @Test
    default void aWrongExpectedSeqIsAConflictWithTheActualHead() {
        StreamKey key = newSession();
        log().append(key, request(0L, event(null, null, 1), event(null, null, 2)));
        SeqConflictException behind = assertThrows(SeqConflictException.class, () -> log().append(key, request(1L, event(null, null, 3))));
        assertEquals(2, behind.actual());
        SeqConflictException fresh = assertThrows(SeqConflictException.class, () -> log().append(key, request(0L, event(null, null, 3))));
        assertEquals(2, fresh.actual());
        assertEquals(2, log().head(key).orElseThrow().seq());
    }

    @Test
    default void concurrentWritersGetDistinctGaplessSeqs() throws Exception {
        StreamKey key = newSession();
        List<CompletableFuture<List<Long>>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            writers.add(CompletableFuture.supplyAsync(() -> {
                List<Long> seqs = new ArrayList<>();
                for (int i = 0; i < 15; i++) {
                    seqs.add(log().append(key, request(null, event("w" + writer + "-" + i, null, i))).events().get(0).seq());
                }
                return seqs;
            }));
        }
        Set<Long> all = new HashSet<>();
        for (CompletableFuture<List<Long>> w : writers) {
            all.addAll(w.get());
        }
        assertEquals(LongStream.rangeClosed(1, 60).boxed().collect(Collectors.toSet()), all);
        assertEquals(60, log().read(key, 0, 100).size());
    }

    /**
     * Event ids are unique per session only: a child names its parent by session and id, and the
     * children of (session, id) never include another session's event of the same id or its children.
     */
    @Test
    default void childrenAreFoundInEverySessionOfTheTenantByParentSessionAndId() {
        StreamKey parent = newSession();
        StreamKey other = new StreamKey(parent.tenant(), "other-" + UUID.randomUUID());
        StreamKey foreign = new StreamKey("someone-else-" + UUID.randomUUID(), parent.sessionId());
        log().append(parent, request(null, event("root", null, 0), event(null, "root", 1)));
        log().append(other, request(null, event(null, "root", parent.sessionId(), 2)));
        // Another session's own "root" and a child of it: not children of the parent's root.
        log().append(other, request(null, event("root", null, 5), event(null, "root", 6)));
        log().append(foreign, request(null, event(null, "root", parent.sessionId(), 3)));
        assertEquals(Set.of(1, 2), childrenOf(parent, "root"));
        assertEquals(Set.of(6), childrenOf(other, "root"));
        // An event naming its own session as the parent's is stored as one whose parent is in its session.
        StreamKey own = newSession();
        log().append(own, request(null, event("p", null, 7), event(null, "p", own.sessionId(), 8)));
        assertEquals(null, log().read(own, 1, 1).get(0).parentSessionId());
        assertEquals(Set.of(8), childrenOf(own, "p"));
    }

    private Set<Integer> childrenOf(StreamKey parent, String eventId) {
        List<Integer> found = new ArrayList<>();
        String cursor = null;
        do {
            ChildPage page = log().children(parent, eventId, 1, cursor, Long.MAX_VALUE);
            page.children().forEach(c -> found.add(c.record().event().get("n").asInt()));
            cursor = page.nextCursor();
        } while (cursor != null);
        assertEquals(found.size(), new HashSet<>(found).size(), "each child once");
        return new HashSet<>(found);
    }
}
