package dev.sessionlog.log.memory;

import dev.sessionlog.chain.ChainHash;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendedEvent;
import dev.sessionlog.log.ChildPage;
import dev.sessionlog.log.EraseRequest;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.EventPage;
import dev.sessionlog.log.ForkResult;
import dev.sessionlog.log.Head;
import dev.sessionlog.log.Lineage;
import dev.sessionlog.log.PartialDuplicateException;
import dev.sessionlog.log.ReadSpec;
import dev.sessionlog.log.SeqConflictException;
import dev.sessionlog.log.SessionErasedException;
import dev.sessionlog.log.SessionErasingException;
import dev.sessionlog.log.SessionExistsException;
import dev.sessionlog.log.SessionMissingException;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.dynamo.DynamoEventLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The log in memory, with the same contract as {@link DynamoEventLog} (EventLogContract proves
 * it): for fast tests of what sits on the log, never as the only test of the store. A fork here
 * copies its source's records (the real log copies nothing).
 */
public final class InMemoryEventLog implements EventLog {

    private final Clock clock;
    private final Map<StreamKey, List<EventRecord>> sessions = new HashMap<>();
    private final Map<StreamKey, Map<String, Long>> ids = new HashMap<>();
    private final Map<StreamKey, ForkResult> forks = new HashMap<>();
    private final Set<StreamKey> erasing = new HashSet<>();
    private final Set<StreamKey> erased = new HashSet<>();

    public InMemoryEventLog(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized AppendResult append(StreamKey key, AppendRequest request) {
        if (erasing.contains(key)) {
            throw new SessionErasingException(key);
        }
        if (erased.contains(key)) {
            throw new SessionErasedException(key);
        }
        List<EventRecord> log = sessions.computeIfAbsent(key, k -> new ArrayList<>());
        Map<String, Long> known = ids.computeIfAbsent(key, k -> new HashMap<>());
        List<NewEvent> events = request.events();
        List<String> stored = events.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).filter(known::containsKey).toList();
        if (!stored.isEmpty()) {
            if (stored.size() != events.size()) {
                throw new PartialDuplicateException(stored, events.size());
            }
            long highest = events.stream().mapToLong(e -> known.get(e.eventId())).max().orElse(0);
            return new AppendResult(key.sessionId(), log.size(),
                    events.stream().map(e -> new AppendedEvent(e.eventId(), known.get(e.eventId()), true)).toList(),
                    log.get((int) highest - 1).chain());
        }
        if (request.expectedSeq().isPresent() && request.expectedSeq().getAsLong() != log.size()) {
            throw new SeqConflictException(key, request.expectedSeq().getAsLong(), log.size());
        }
        List<AppendedEvent> appended = new ArrayList<>();
        String chain = log.isEmpty() ? ChainHash.GENESIS : log.get(log.size() - 1).chain();
        for (NewEvent e : events) {
            long seq = log.size() + 1;
            String id = e.hasClientId() ? e.eventId() : UUID.randomUUID().toString();
            EventRecord record = new EventRecord(seq, id, e.parentEventId(), StreamKey.otherSession(key, e.parentSessionId()),
                    clock.instant(), e.event(), null);
            chain = ChainHash.next(chain, record);
            log.add(record.withChain(chain));
            known.put(id, seq);
            appended.add(new AppendedEvent(id, seq, false));
        }
        return new AppendResult(key.sessionId(), log.size(), appended, chain);
    }

    @Override
    public synchronized List<EventRecord> read(StreamKey key, long afterSeq, int limit) {
        return readPage(key, ReadSpec.after(afterSeq, limit, Long.MAX_VALUE)).events();
    }

    @Override
    public synchronized EventPage readPage(StreamKey key, ReadSpec spec) {
        List<EventRecord> log = erasing.contains(key) ? List.of() : sessions.getOrDefault(key, List.of());
        List<EventRecord> page = new ArrayList<>();
        long bytes = 0;
        int examined = 0;
        long last = spec.from();
        for (int i = 0; i < log.size() && examined < spec.limit(); i++) {
            EventRecord r = spec.descending() ? log.get(log.size() - 1 - i) : log.get(i);
            boolean inRange = spec.descending() ? r.seq() < spec.from() && r.seq() >= spec.bound()
                    : r.seq() > spec.from() && r.seq() <= spec.bound();
            if (!inRange) {
                continue;
            }
            if (spec.wants(r.type())) {
                long size = Json.bytes(r.event()).length;
                if (!page.isEmpty() && bytes + size > spec.maxBytes()) {
                    return new EventPage(page, 0, last, false, examined);
                }
                page.add(r);
                bytes += size;
            }
            examined++;
            last = r.seq();
        }
        boolean exhausted = examined < spec.limit();
        return new EventPage(page, 0, last, exhausted, examined);
    }

    @Override
    public synchronized Head headInfo(StreamKey key) {
        List<EventRecord> log = sessions.getOrDefault(key, List.of());
        if (log.isEmpty()) {
            return Head.NONE;
        }
        return new Head(log.size() + (erasing.contains(key) ? 1 : 0), log.get(log.size() - 1).chain(), Lineage.NONE,
                erasing.contains(key));
    }

    @Override
    public synchronized Optional<EventRecord> head(StreamKey key) {
        List<EventRecord> log = sessions.getOrDefault(key, List.of());
        return log.isEmpty() || erasing.contains(key) ? Optional.empty() : Optional.of(log.get(log.size() - 1));
    }

    @Override
    public synchronized OptionalLong eventSeq(StreamKey key, String eventId) {
        Long seq = ids.getOrDefault(key, Map.of()).get(eventId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    @Override
    public synchronized ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes) {
        List<ChildPage.Child> all = new ArrayList<>();
        sessions.entrySet().stream().filter(s -> s.getKey().tenant().equals(parent.tenant()) && !erasing.contains(s.getKey()))
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(StreamKey::sessionId)))
                .forEach(s -> s.getValue().stream().filter(r -> eventId.equals(r.parentEventId())
                                && parent.sessionId().equals(r.parentSessionId() != null ? r.parentSessionId() : s.getKey().sessionId()))
                        .forEach(r -> all.add(new ChildPage.Child(s.getKey().sessionId(), r, Integer.toString(all.size() + 1)))));
        int from;
        try {
            from = cursor == null ? 0 : Integer.parseInt(cursor);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("cursor is not valid: pass next_cursor of the previous page unchanged");
        }
        int to = Math.min(all.size(), from + limit);
        return new ChildPage(List.copyOf(all.subList(Math.min(from, to), to)), to < all.size() ? Integer.toString(to) : null);
    }

    @Override
    public synchronized ForkResult fork(StreamKey source, String newSessionId, Long atSeq) {
        List<EventRecord> log = sessions.getOrDefault(source, List.of());
        if (log.isEmpty() || erasing.contains(source)) {
            throw new SessionMissingException(source);
        }
        long at = atSeq == null ? log.size() : atSeq;
        if (at < 1 || at > log.size()) {
            throw new InvalidRequestException("at_seq must be from 1 to " + log.size() + ", was " + at);
        }
        StreamKey fork = new StreamKey(source.tenant(), newSessionId);
        ForkResult earlier = forks.get(fork);
        if (earlier != null && earlier.sourceSessionId().equals(source.sessionId()) && earlier.atSeq() == at) {
            return new ForkResult(newSessionId, source.sessionId(), at, false);
        }
        if (sessions.containsKey(fork)) {
            throw new SessionExistsException(fork);
        }
        if (erased.contains(fork)) {
            throw new SessionErasedException(fork);
        }
        sessions.put(fork, new ArrayList<>(log.subList(0, (int) at)));
        Map<String, Long> inherited = new HashMap<>();
        ids.getOrDefault(source, Map.of()).forEach((id, seq) -> {
            if (seq <= at) {
                inherited.put(id, seq);
            }
        });
        ids.put(fork, inherited);
        ForkResult made = new ForkResult(newSessionId, source.sessionId(), at, true);
        forks.put(fork, made);
        return made;
    }

    @Override
    public synchronized EraseRequest requestErase(StreamKey key) {
        if (erased.contains(key)) {
            throw new SessionErasedException(key);
        }
        if (!sessions.containsKey(key)) {
            throw new SessionMissingException(key);
        }
        erasing.add(key);
        return new EraseRequest(key, sessions.get(key).size() + 1, clock.instant());
    }

    /** What the scheduled erasure does, at once: the session's data goes, its id stays taken. */
    public synchronized void completeErase(StreamKey key) {
        sessions.remove(key);
        ids.remove(key);
        forks.remove(key);
        erasing.remove(key);
        erased.add(key);
    }

    @Override
    public synchronized boolean isErased(StreamKey key) {
        return erased.contains(key);
    }
}
