package dev.sessionlog.log;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.NewEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * The log in memory, with the same contract as {@link DynamoEventLog} (EventLogContract proves
 * it): for fast tests of what sits on the log, never as the only test of the store.
 */
public final class InMemoryEventLog implements EventLog {

    private final Clock clock;
    private final Map<StreamKey, List<EventRecord>> sessions = new HashMap<>();
    private final Map<StreamKey, Map<String, Long>> ids = new HashMap<>();

    public InMemoryEventLog(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized AppendResult append(StreamKey key, AppendRequest request) {
        List<EventRecord> log = sessions.computeIfAbsent(key, k -> new ArrayList<>());
        Map<String, Long> known = ids.computeIfAbsent(key, k -> new HashMap<>());
        List<NewEvent> events = request.events();
        List<String> stored = events.stream().filter(NewEvent::hasClientId).map(NewEvent::eventId).filter(known::containsKey).toList();
        if (!stored.isEmpty()) {
            if (stored.size() != events.size()) {
                throw new PartialDuplicateException(stored, events.size());
            }
            return new AppendResult(key.sessionId(), log.size(),
                    events.stream().map(e -> new AppendedEvent(e.eventId(), known.get(e.eventId()), true)).toList());
        }
        if (request.expectedSeq().isPresent() && request.expectedSeq().getAsLong() != log.size()) {
            throw new SeqConflictException(key, request.expectedSeq().getAsLong(), log.size());
        }
        List<AppendedEvent> appended = new ArrayList<>();
        for (NewEvent e : events) {
            long seq = log.size() + 1;
            String id = e.hasClientId() ? e.eventId() : UUID.randomUUID().toString();
            log.add(new EventRecord(seq, id, e.parentEventId(), StreamKey.otherSession(key, e.parentSessionId()), clock.instant(), e.event(), null));
            known.put(id, seq);
            appended.add(new AppendedEvent(id, seq, false));
        }
        return new AppendResult(key.sessionId(), log.size(), appended);
    }

    @Override
    public synchronized List<EventRecord> read(StreamKey key, long afterSeq, int limit) {
        List<EventRecord> log = sessions.getOrDefault(key, List.of());
        int from = (int) Math.min(afterSeq, log.size());
        return List.copyOf(log.subList(from, Math.min(log.size(), from + limit)));
    }

    @Override
    public synchronized EventPage readPage(StreamKey key, long afterSeq, int limit, long maxBytes) {
        List<EventRecord> page = new ArrayList<>();
        long bytes = 0;
        for (EventRecord r : read(key, afterSeq, limit)) {
            long size = Json.bytes(r.event()).length;
            if (!page.isEmpty() && bytes + size > maxBytes) {
                break;
            }
            page.add(r);
            bytes += size;
        }
        return new EventPage(page, 0);
    }

    @Override
    public synchronized long headSeq(StreamKey key) {
        return sessions.getOrDefault(key, List.of()).size();
    }

    @Override
    public synchronized Optional<EventRecord> head(StreamKey key) {
        List<EventRecord> log = sessions.getOrDefault(key, List.of());
        return log.isEmpty() ? Optional.empty() : Optional.of(log.get(log.size() - 1));
    }

    @Override
    public synchronized OptionalLong eventSeq(StreamKey key, String eventId) {
        Long seq = ids.getOrDefault(key, Map.of()).get(eventId);
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    @Override
    public synchronized ChildPage children(StreamKey parent, String eventId, int limit, String cursor, long maxBytes) {
        List<ChildPage.Child> all = new ArrayList<>();
        sessions.entrySet().stream().filter(s -> s.getKey().tenant().equals(parent.tenant()))
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(StreamKey::sessionId)))
                .forEach(s -> s.getValue().stream().filter(r -> eventId.equals(r.parentEventId())
                                && parent.sessionId().equals(r.parentSessionId() != null ? r.parentSessionId() : s.getKey().sessionId()))
                        .forEach(r -> all.add(new ChildPage.Child(s.getKey().sessionId(), r, Integer.toString(all.size() + 1)))));
        int from;
        try {
            from = cursor == null ? 0 : Integer.parseInt(cursor);
        } catch (NumberFormatException e) {
            throw new dev.sessionlog.event.InvalidRequestException("cursor is not valid: pass next_cursor of the previous page unchanged");
        }
        int to = Math.min(all.size(), from + limit);
        return new ChildPage(List.copyOf(all.subList(Math.min(from, to), to)), to < all.size() ? Integer.toString(to) : null);
    }
}
