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

    static NewEvent typed(String id, String type, int n) {
        ObjectNode e = Json.MAPPER.createObjectNode().put("type", type).put("n", n);
        return new NewEvent(id, null, null, e, Json.bytes(e));
    }

    /** A request's events are read from any of their seqs, in either direction, filtered by type, chained one by one. */
    @Test
    default void aRequestsEventsAreReadFromAnyOfTheirSeqsInEitherDirection() {
        StreamKey key = newSession();
        log().append(key, request(null, typed(null, "Note", 1), typed(null, "Tool", 2), typed(null, "Note", 3),
                typed(null, "Tool", 4), typed(null, "Note", 5)));
        log().append(key, request(null, typed(null, "Tool", 6)));
        log().append(key, request(6L, typed(null, "Note", 7), typed(null, "Tool", 8), typed(null, "Note", 9)));
        assertEquals(9, assertThrows(SeqConflictException.class, () -> log().append(key, request(8L, typed(null, "Note", 10)))).actual(),
                "a seq inside a request is no head");
        List<EventRecord> all = log().read(key, 0, 20);
        assertEquals(LongStream.rangeClosed(1, 9).boxed().toList(), all.stream().map(EventRecord::seq).toList());
        String chain = dev.sessionlog.chain.ChainHash.GENESIS;
        for (EventRecord r : all) {
            assertEquals(r.seq(), r.event().get("n").asLong());
            chain = dev.sessionlog.chain.ChainHash.next(chain, r);
            assertEquals(chain, r.chain(), "the chain at " + r.seq());
        }
        assertEquals(List.of(3L, 4L), log().readPage(key, ReadSpec.after(2, 2, 1 << 20)).events().stream().map(EventRecord::seq).toList());
        assertEquals(List.of(8L, 7L, 6L, 5L, 4L),
                log().readPage(key, ReadSpec.before(9, 5, 1 << 20)).events().stream().map(EventRecord::seq).toList());
        EventPage tools = log().readPage(key, ReadSpec.after(1, 20, 1 << 20).withTypes(Set.of("Tool")));
        assertEquals(List.of(2L, 4L, 6L, 8L), tools.events().stream().map(EventRecord::seq).toList());
        EventPage firstTools = log().readPage(key, ReadSpec.after(1, 3, 1 << 20).withTypes(Set.of("Tool")));
        assertEquals(List.of(2L, 4L), firstTools.events().stream().map(EventRecord::seq).toList());
        assertEquals(4, firstTools.lastExamined(), "the next page starts inside the request");
        assertEquals(9, log().head(key).orElseThrow().seq());
        assertEquals(9, log().headInfo(key).seq());
        assertEquals(all.get(8).chain(), log().headInfo(key).chain());
    }

    /** A lone surrogate (a stream cut inside an emoji) is kept as it was sent, alone and in a request's item. */
    @Test
    default void aLoneSurrogateReadsBackAsSentAndChains() {
        StreamKey key = newSession();
        ObjectNode lone = Json.MAPPER.createObjectNode().put("type", "Note").put("t", "cut \ud83d" + "x".repeat(1500));
        ObjectNode pair = Json.MAPPER.createObjectNode().put("type", "Note").put("t", "\ud800 and \ud83d\ude00");
        log().append(key, request(null, new NewEvent(null, null, null, lone, Json.bytes(lone))));
        log().append(key, request(null, new NewEvent(null, null, null, pair, Json.bytes(pair)), new NewEvent(null, null, null, lone, Json.bytes(lone))));
        List<EventRecord> read = log().read(key, 0, 10);
        assertEquals(List.of(lone, pair, lone), read.stream().map(EventRecord::event).toList());
        String chain = dev.sessionlog.chain.ChainHash.GENESIS;
        for (EventRecord r : read) {
            chain = dev.sessionlog.chain.ChainHash.next(chain, r);
            assertEquals(chain, r.chain(), "the chain at " + r.seq());
        }
    }

    /**
     * With ids that increase with the seqs (as clients make them), a stored id is found anywhere in
     * its request: a retry of the request's tail is recognised, a re-batched mix is rejected whole.
     */
    @Test
    default void orderedIdsAreRecognisedAnywhereInTheirRequest() {
        StreamKey key = newSession();
        log().append(key, request(null, event("o1", null, 1), event("o2", null, 2), event("o3", null, 3), event("o4", null, 4)));
        assertEquals(List.of(1L, 2L, 3L, 4L), log().append(key, request(null, event("o1", null, 1), event("o2", null, 2),
                event("o3", null, 3), event("o4", null, 4))).events().stream().map(AppendedEvent::seq).toList());
        AppendResult tail = log().append(key, request(null, event("o3", null, 3), event("o4", null, 4)));
        assertFalse(tail.wroteAny());
        assertEquals(List.of(3L, 4L), tail.events().stream().map(AppendedEvent::seq).toList());
        PartialDuplicateException mix = assertThrows(PartialDuplicateException.class,
                () -> log().append(key, request(null, event("o4", null, 4), event("o5", null, 5))));
        assertEquals(List.of("o4"), mix.storedEventIds());
        assertEquals(3, log().eventSeq(key, "o3").orElseThrow());
        assertEquals(4, log().headInfo(key).seq());
    }

    /** A fork at a seq inside a request inherits up to it, links to its chain value, and goes on from it. */
    @Test
    default void aForkInsideARequestInheritsUpToItsSeq() {
        StreamKey source = newSession();
        log().append(source, request(null, event(null, null, 1), event(null, null, 2), event(null, null, 3), event(null, null, 4)));
        StreamKey fork = new StreamKey(source.tenant(), "fork-" + UUID.randomUUID());
        log().fork(source, fork.sessionId(), 2L);
        assertEquals(2, log().headInfo(fork).seq());
        assertEquals(log().read(source, 0, 10).get(1).chain(), log().headInfo(fork).chain());
        AppendResult own = log().append(fork, request(2L, event(null, null, 30), event(null, null, 40)));
        assertEquals(4, own.headSeq());
        assertEquals(4, log().headInfo(source).seq());
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
