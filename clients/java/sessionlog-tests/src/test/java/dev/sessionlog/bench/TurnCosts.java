package dev.sessionlog.bench;

import dev.sessionlog.testing.Meter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What each turn of a framework's loop costs in sessionlog: the append requests and the bytes of
 * their bodies, and the events read by each call of the framework's read (getMessages,
 * findByConversationId, getSession). Counted by a {@link Meter} on the adapter's client; no clock.
 */
public final class TurnCosts {
  /** One turn's figures. */
  public record Turn(int turn, long appendRequests, long appendBytes, List<Long> eventsPerRead, long eventsReadInTurn,
      long coldRead, long sessionEvents) {
    long maxEventsPerRead() {
      return eventsPerRead.stream().mapToLong(Long::longValue).max().orElse(0);
    }
  }

  private final String adapter;
  private final String readName;
  private final Meter meter;
  private final Map<Integer, Turn> turns = new TreeMap<>();
  private final List<Long> reads = new ArrayList<>();
  private Meter.Reading turnStart;

  public TurnCosts(String adapter, String readName, Meter meter) {
    this.adapter = adapter;
    this.readName = readName;
    this.meter = meter;
  }

  public void startTurn() {
    reads.clear();
    turnStart = meter.now();
  }

  /** Runs one call of the framework's read, counting the events it read. */
  public <T> T read(Supplier<T> read) {
    Meter.Reading before = meter.now();
    try {
      return read.get();
    } finally {
      reads.add(meter.now().minus(before).eventsRead());
    }
  }

  /**
   * Ends the turn. {@code coldRead}: the events a fresh adapter object (a restarted application)
   * reads in its first read of the conversation; {@code sessionEvents}: how many events the
   * conversation's session holds now.
   */
  public Turn endTurn(int turn, long coldRead, long sessionEvents) {
    Meter.Reading cost = meter.now().minus(turnStart);
    Turn row = new Turn(turn, cost.appendRequests(), cost.appendBytes(), List.copyOf(reads), cost.eventsRead(), coldRead,
        sessionEvents);
    turns.put(turn, row);
    return row;
  }

  public Turn turn(int turn) {
    return turns.get(turn);
  }

  /** Prints the given turns as a table and appends them to target/bench-adapters.txt. */
  public String report(int... which) {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%n%s (reads: %s)%n", adapter, readName));
    out.append(String.format("%-5s %-16s %-15s %-6s %-30s %-18s %-15s %s%n", "turn", "append requests", "bytes appended", "reads",
        "events read per read", "events read, turn", "cold read", "events in session"));
    for (int n : which) {
      Turn row = turns.get(n);
      out.append(String.format("%-5d %-16d %-15d %-6d %-30s %-18d %-15d %d%n", row.turn(), row.appendRequests(), row.appendBytes(),
          row.eventsPerRead().size(), row.eventsPerRead().toString(), row.eventsReadInTurn(), row.coldRead(), row.sessionEvents()));
    }
    String text = out.toString();
    System.out.print(text);
    try {
      Path file = Path.of("target", "bench-adapters.txt");
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text;
  }
}
