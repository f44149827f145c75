package dev.sessionlog.recorder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sessionlog.event.EventRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A realistic phi-core agent run in one session, as the event records sessionlog would store: chains of
 * continuation loops, turns with streamed assistant messages and tool calls, some tool calls that spawn
 * sub-agents in other sessions, and parallel groups whose branches interleave. Deterministic for a seed,
 * so that tests can assert exact outcomes and benchmarks compare like with like.
 */
public final class AgentRunGenerator {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Marks an event timestamp to be filled in once the events are in their final (interleaved) order. */
    private static final TextNode NOW = new TextNode("<now>");
    private static final String[][] CONFIGS = {
        {"anthropic", "claude-sonnet-4-5", "anthropic-sonnet"},
        {"openai", "gpt-5", "openai-gpt-5"},
        {"google", "gemini-2.5-pro", "google-gemini"},
    };
    private static final String[] TOOLS = {"read_file", "bash", "search", "edit_file"};
    private static final String[] WORDS = {"the", "log", "event", "session", "loop", "turn", "agent", "reads",
        "writes", "folds", "a", "seq", "tool", "result", "and", "then"};

    /**
     * @param loops loops in the session, parallel branches included
     * @param maxToolTurnsPerLoop tool-using turns before the final answer, drawn from 0..max per loop
     * @param maxToolCallsPerTurn tool calls of a tool-using turn, drawn from 1..max
     * @param streamingUpdatesPerMessage MessageUpdate events per assistant message
     * @param chainLength loops per continuation chain (1: every loop is an origin)
     * @param parallelEvery every n-th step is a parallel group instead of one loop (0: never)
     * @param parallelWidth branches of a parallel group
     * @param subAgentEvery every n-th tool call spawns a sub-agent in another session (0: never)
     */
    public record Config(String sessionId, String agentId, int loops, int maxToolTurnsPerLoop, int maxToolCallsPerTurn,
            int streamingUpdatesPerMessage, int chainLength, int parallelEvery, int parallelWidth, int subAgentEvery,
            long seed, Instant start) {

        public static Config of(String sessionId, int loops) {
            return new Config(sessionId, "agent-gen", loops, 2, 2, 2, 4, 25, 3, 10, 42L,
                    Instant.parse("2026-11-21T10:00:00Z"));
        }

        public Config withShape(int maxToolTurns, int maxToolCalls, int streamingUpdates) {
            return new Config(sessionId, agentId, loops, maxToolTurns, maxToolCalls, streamingUpdates, chainLength,
                    parallelEvery, parallelWidth, subAgentEvery, seed, start);
        }

        public Config withLinks(int chainLength, int parallelEvery, int parallelWidth, int subAgentEvery) {
            return new Config(sessionId, agentId, loops, maxToolTurnsPerLoop, maxToolCallsPerTurn,
                    streamingUpdatesPerMessage, chainLength, parallelEvery, parallelWidth, subAgentEvery, seed, start);
        }

        public Config withSeed(long seed) {
            return new Config(sessionId, agentId, loops, maxToolTurnsPerLoop, maxToolCallsPerTurn,
                    streamingUpdatesPerMessage, chainLength, parallelEvery, parallelWidth, subAgentEvery, seed, start);
        }
    }

    /** What the run contains, for asserting the fold's counts. */
    public record Stats(int loops, int turns, int toolCalls, int streamingUpdates, int parallelGroups,
            int subAgentSpawns, int sessionLevelEvents, long inputTokens, long outputTokens, long totalTokens) {
    }

    public record Run(Config config, List<EventRecord> events, Stats stats) {
    }

    private final Config c;
    private final SplittableRandom rnd;
    private long messageMillis;
    private int loopCounter;
    private int toolCallCounter;
    private int turns;
    private int toolCalls;
    private int streamingUpdates;
    private int parallelGroups;
    private int subAgentSpawns;
    private long inputTokens;
    private long outputTokens;
    private long totalTokens;

    private AgentRunGenerator(Config c) {
        this.c = c;
        this.rnd = new SplittableRandom(c.seed());
        this.messageMillis = c.start().toEpochMilli();
    }

    public static Run generate(Config config) {
        return new AgentRunGenerator(config).run();
    }

    /** The events' JSON, one per line, as a log of them would hold: the input of a parse benchmark. */
    public static byte[] jsonLines(List<EventRecord> events, ObjectMapper mapper) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.size() * 600);
        try {
            for (EventRecord e : events) {
                out.write(mapper.writeValueAsBytes(e.event()));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Run run() {
        List<ObjectNode> events = new ArrayList<>();
        int built = 0;
        int step = 0;
        String previous = null;
        int chainPosition = 0;
        while (built < c.loops()) {
            boolean parallel = c.parallelEvery() > 0 && step % c.parallelEvery() == c.parallelEvery() - 1
                    && c.loops() - built >= 2;
            if (parallel) {
                int width = Math.min(Math.max(2, c.parallelWidth()), c.loops() - built);
                previous = parallelGroup(events, width, previous);
                built += width;
            } else {
                boolean origin = previous == null || chainPosition % Math.max(1, c.chainLength()) == 0;
                String loopId = loopId(0);
                events.addAll(loop(loopId, origin ? null : previous, origin ? F.textNode("Initial") : F.textNode("Default"),
                        origin ? "User" : "Continuation", 0));
                previous = loopId;
                built++;
            }
            chainPosition++;
            step++;
        }
        List<EventRecord> records = stamp(events);
        Stats stats = new Stats(built, turns, toolCalls, streamingUpdates, parallelGroups, subAgentSpawns,
                2 * parallelGroups, inputTokens, outputTokens, totalTokens);
        return new Run(c, records, stats);
    }

    /** A parallel group: its branches' events interleaved one by one; returns the selected branch. */
    private String parallelGroup(List<ObjectNode> events, int width, String parent) {
        List<String> ids = new ArrayList<>();
        List<List<ObjectNode>> branches = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            String id = loopId(i % CONFIGS.length);
            ids.add(id);
            branches.add(loop(id, parent, parent == null ? F.textNode("Initial") : F.textNode("Default"),
                    parent == null ? "User" : "Continuation", i % CONFIGS.length));
        }
        ObjectNode start = event("ParallelLoopStart");
        start.put("session_id", c.sessionId());
        ArrayNode loopIds = start.putArray("loop_ids");
        ids.forEach(loopIds::add);
        start.set("timestamp", NOW);
        events.add(start);
        int[] next = new int[width];
        boolean more = true;
        while (more) {
            more = false;
            for (int b = 0; b < width; b++) {
                if (next[b] < branches.get(b).size()) {
                    events.add(branches.get(b).get(next[b]++));
                    more = true;
                }
            }
        }
        int selected = rnd.nextInt(width);
        ObjectNode end = event("ParallelLoopEnd");
        end.put("session_id", c.sessionId());
        end.put("selected_loop_id", ids.get(selected));
        end.put("selected_config_index", selected);
        end.set("evaluation_usage", usage(300, 20, 0, 0, 0));
        end.set("timestamp", NOW);
        events.add(end);
        parallelGroups++;
        return ids.get(selected);
    }

    private List<ObjectNode> loop(String loopId, String parent, TextNode continuation, String firstTrigger, int config) {
        String[] cfg = CONFIGS[config];
        List<ObjectNode> ev = new ArrayList<>();
        ObjectNode start = event("AgentStart");
        start.put("agent_id", c.agentId());
        start.put("session_id", c.sessionId());
        start.put("loop_id", loopId);
        start.put("parent_loop_id", parent);
        start.set("continuation_kind", continuation);
        start.set("timestamp", NOW);
        start.putObject("metadata").put("request_id", "req-" + loopCounter);
        if (loopCounter % 2 == 0) {
            ObjectNode snapshot = start.putObject("config_snapshot");
            snapshot.put("model", cfg[1]).put("provider", cfg[0]).put("config_id", cfg[2]).put("max_tokens", 8192);
        } else {
            start.putNull("config_snapshot");
        }
        ev.add(start);

        ArrayNode messages = F.arrayNode();
        long[] loopUsage = new long[4]; // input, output, reasoning, cache_read
        int toolTurns = rnd.nextInt(c.maxToolTurnsPerLoop() + 1);
        for (int turn = 0; turn <= toolTurns; turn++) {
            boolean last = turn == toolTurns;
            ObjectNode turnStart = loopEvent("TurnStart", loopId);
            turnStart.put("turn_index", turn);
            turnStart.set("timestamp", NOW);
            turnStart.put("triggered_by", turn == 0 ? firstTrigger : "Continuation");
            ev.add(turnStart);
            turns++;
            if (turn == 0) {
                ObjectNode user = message("user");
                user.putArray("content").addObject().put("type", "text").put("text", sentence(12));
                ev.add(withMessage(loopEvent("MessageStart", loopId), user));
                ev.add(withMessage(loopEvent("MessageEnd", loopId), user));
                messages.add(user);
            }

            long in = 200 + rnd.nextInt(4000);
            long out = 10 + rnd.nextInt(800);
            long reasoning = rnd.nextInt(4) == 0 ? rnd.nextInt(300) : 0;
            long cacheRead = rnd.nextInt(2000);
            ObjectNode turnUsage = usage(in, out, reasoning, cacheRead, 0);
            int calls = last ? 0 : 1 + rnd.nextInt(Math.max(1, c.maxToolCallsPerTurn()));

            ObjectNode assistant = message("assistant");
            ArrayNode content = assistant.putArray("content");
            content.addObject().put("type", "text").put("text", sentence(20));
            List<String[]> toolCallsOfTurn = new ArrayList<>();
            for (int k = 0; k < calls; k++) {
                toolCallCounter++;
                boolean spawn = c.subAgentEvery() > 0 && toolCallCounter % c.subAgentEvery() == 0;
                String name = spawn ? "delegate" : TOOLS[rnd.nextInt(TOOLS.length)];
                String id = "toolu_" + toolCallCounter;
                toolCallsOfTurn.add(new String[] {id, name, spawn ? c.sessionId() + "-sub" + toolCallCounter
                        + ".anthropic-haiku.0" : null});
                ObjectNode call = content.addObject().put("type", "toolCall").put("id", id).put("name", name);
                call.putObject("arguments").put("input", sentence(4));
            }
            assistant.put("stopReason", last ? "stop" : "toolUse");
            assistant.put("model", cfg[1]);
            assistant.put("provider", cfg[0]);
            assistant.set("usage", turnUsage);

            ObjectNode partial = message("assistant");
            partial.putArray("content");
            partial.put("stopReason", "stop").put("model", cfg[1]).put("provider", cfg[0]);
            partial.set("usage", usage(0, 0, 0, 0, 0));
            ev.add(withMessage(loopEvent("MessageStart", loopId), partial));
            for (int u = 0; u < c.streamingUpdatesPerMessage(); u++) {
                ObjectNode update = withMessage(loopEvent("MessageUpdate", loopId), partial);
                update.putObject("delta").putObject("Text").put("delta", sentence(3));
                ev.add(update);
                streamingUpdates++;
            }
            ev.add(withMessage(loopEvent("MessageEnd", loopId), assistant));
            messages.add(assistant);

            ArrayNode toolResults = F.arrayNode();
            for (String[] call : toolCallsOfTurn) {
                ObjectNode exStart = loopEvent("ToolExecutionStart", loopId);
                exStart.put("tool_call_id", call[0]).put("tool_name", call[1]);
                exStart.putObject("args").put("input", sentence(4));
                ev.add(exStart);
                String output = sentence(30);
                ObjectNode exEnd = loopEvent("ToolExecutionEnd", loopId);
                exEnd.put("tool_call_id", call[0]).put("tool_name", call[1]);
                ObjectNode result = exEnd.putObject("result");
                result.putArray("content").addObject().put("type", "text").put("text", output);
                result.putNull("details");
                if (call[2] != null) {
                    result.put("child_loop_id", call[2]);
                    subAgentSpawns++;
                }
                exEnd.put("is_error", false);
                exEnd.put("child_loop_id", call[2]);
                ev.add(exEnd);
                ObjectNode toolResult = message("toolResult");
                toolResult.put("toolCallId", call[0]).put("toolName", call[1]);
                toolResult.putArray("content").addObject().put("type", "text").put("text", output);
                toolResult.put("isError", false);
                ev.add(withMessage(loopEvent("MessageStart", loopId), toolResult));
                ev.add(withMessage(loopEvent("MessageEnd", loopId), toolResult));
                toolResults.add(toolResult);
                messages.add(toolResult);
                toolCalls++;
            }

            ObjectNode turnEnd = loopEvent("TurnEnd", loopId);
            turnEnd.set("message", assistant);
            turnEnd.set("usage", turnUsage);
            turnEnd.set("timestamp", NOW);
            turnEnd.set("tool_results", toolResults);
            ev.add(turnEnd);
            loopUsage[0] += in;
            loopUsage[1] += out;
            loopUsage[2] += reasoning;
            loopUsage[3] += cacheRead;
            inputTokens += in;
            outputTokens += out;
            totalTokens += in + out + reasoning;
        }
        ObjectNode end = loopEvent("AgentEnd", loopId);
        end.set("messages", messages);
        // AgentEnd carries the loop's total: the field-wise sum of its turns.
        end.set("usage", usage(loopUsage[0], loopUsage[1], loopUsage[2], loopUsage[3], 0));
        end.set("timestamp", NOW);
        end.putNull("rejection");
        ev.add(end);
        return ev;
    }

    /** Gives every event its place in time, in final order: timestamps, then the records. */
    private List<EventRecord> stamp(List<ObjectNode> events) {
        List<EventRecord> out = new ArrayList<>(events.size());
        Instant clock = c.start();
        for (ObjectNode e : events) {
            clock = clock.plusMillis(5 + rnd.nextInt(200));
            if (e.get("timestamp") == NOW) {
                e.put("timestamp", clock.toString());
            }
            long seq = out.size() + 1;
            out.add(new EventRecord(seq, "e-" + seq, null, clock.plusMillis(30), e));
        }
        return out;
    }

    private String loopId(int config) {
        return c.sessionId() + "." + CONFIGS[config][2] + "." + loopCounter++;
    }

    private static ObjectNode event(String type) {
        return F.objectNode().put("type", type);
    }

    private static ObjectNode loopEvent(String type, String loopId) {
        return event(type).put("loop_id", loopId);
    }

    private static ObjectNode withMessage(ObjectNode event, ObjectNode message) {
        event.set("message", message);
        return event;
    }

    private ObjectNode message(String role) {
        messageMillis += 150;
        ObjectNode m = F.objectNode().put("role", role);
        m.put("timestamp", messageMillis);
        return m;
    }

    private static ObjectNode usage(long in, long out, long reasoning, long cacheRead, long cacheWrite) {
        return F.objectNode().put("input", in).put("output", out).put("reasoning", reasoning)
                .put("cache_read", cacheRead).put("cache_write", cacheWrite).put("total_tokens", in + out + reasoning);
    }

    private String sentence(int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(WORDS[rnd.nextInt(WORDS.length)]);
        }
        return b.toString();
    }
}
