package dev.sessionlog.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The reference workload of the cost section: phi-core agent runs as an agent posts them, with the
 * content that makes their size. The event shapes are AgentRunGenerator's (AgentStart, TurnStart,
 * MessageStart/Update/End, ToolExecutionStart/End, TurnEnd, AgentEnd, the same fields), plus what it
 * leaves out and a real run has:
 * <ul>
 *   <li>a TurnRequest in every turn, after TurnStart, carrying the request the model gets: the system
 *       prompt, the tool definitions and the loop's conversation so far (it grows turn by turn);
 *       phi-core 0.10's TurnRequest variant is not in the seeds, so its shape here
 *       ({@code request_payload} with model, provider, system_prompt, tools, messages, max_tokens) is an
 *       assumption; its size is what matters;</li>
 *   <li>the assistant's text streamed as MessageUpdate events of 3-12 words each (so a message of 30-150
 *       words makes 3-50 updates), each carrying the (empty) partial message and its delta, as the
 *       generator has them;</li>
 *   <li>tool results of 1-6 KB (ToolExecutionEnd, the toolResult message's MessageStart and MessageEnd,
 *       TurnEnd's tool_results, and AgentEnd's messages all carry them, as phi-core's events do).</li>
 * </ul>
 * Text is drawn from a fixed synthetic vocabulary of 4,000 words with a Zipf distribution (prose), and
 * source-like lines for tool output, so that it compresses about as real text does (the report prints
 * the gzip ratio) and the workload does not change when the repository's files do.
 *
 * <p>Timing (simulated, in ms from the session's start): a turn's events 10-60 ms apart, 200-500 ms
 * between a turn's end and the next turn's start (so turns start about a second apart), 2-4 s between
 * the loops of a session (the user reads and answers). Deterministic for a seed.
 */
final class CostWorkload {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String[][] CONFIGS = {
        {"anthropic", "claude-sonnet-4-5", "anthropic-sonnet"},
        {"openai", "gpt-5", "openai-gpt-5"},
    };
    private static final String[] TOOLS = {"read_file", "bash", "search", "edit_file"};

    /** One event and when the agent emitted it (ms after the workload's start). */
    record Timed(long at, ObjectNode event) {
    }

    /** One turn's events; the first turn of a loop starts with AgentStart, the last ends with AgentEnd. */
    record Turn(List<Timed> events) {
        long end() {
            return events.get(events.size() - 1).at();
        }
    }

    /** A session's run: its turns in order. */
    record Session(String sessionId, List<Turn> turns) {
        int events() {
            return turns.stream().mapToInt(t -> t.events().size()).sum();
        }
    }

    private final String sessionId;
    private final SplittableRandom rnd;
    private final Vocabulary words;
    private long now;
    private long messageMillis;
    private int loopCounter;
    private int toolCallCounter;
    private final String systemPrompt;

    private CostWorkload(String sessionId, long seed, long startMillis, Vocabulary words) {
        this.sessionId = sessionId;
        this.rnd = new SplittableRandom(seed);
        this.words = words;
        this.now = startMillis;
        this.messageMillis = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli() + startMillis;
        this.systemPrompt = prose(220 + rnd.nextInt(60));
    }

    /**
     * A session of {@code loops} agent loops (1-5 tool-using turns and a final answer each), starting
     * {@code startMillis} after the workload's start.
     */
    static Session session(String sessionId, long seed, int loops, long startMillis) {
        CostWorkload w = new CostWorkload(sessionId, seed, startMillis, Vocabulary.INSTANCE);
        List<Turn> turns = new ArrayList<>();
        String previous = null;
        for (int l = 0; l < loops; l++) {
            if (l > 0) {
                w.now += 2000 + w.rnd.nextInt(2000);
            }
            previous = w.loop(turns, previous);
        }
        return new Session(sessionId, turns);
    }

    private String loop(List<Turn> turns, String parent) {
        String[] cfg = CONFIGS[loopCounter % CONFIGS.length];
        String loopId = sessionId + "." + cfg[2] + "." + loopCounter++;
        List<Timed> current = new ArrayList<>();
        ObjectNode start = event("AgentStart");
        start.put("agent_id", "agent-cost");
        start.put("session_id", sessionId);
        start.put("loop_id", loopId);
        start.put("parent_loop_id", parent);
        start.put("continuation_kind", parent == null ? "Initial" : "Default");
        start.put("timestamp", iso(now));
        start.putObject("metadata").put("request_id", "req-" + loopCounter);
        start.putObject("config_snapshot").put("model", cfg[1]).put("provider", cfg[0]).put("config_id", cfg[2])
                .put("max_tokens", 8192);
        emit(current, start);

        ArrayNode messages = F.arrayNode();
        long[] loopUsage = new long[4];
        int toolTurns = 1 + rnd.nextInt(5);
        for (int turn = 0; turn <= toolTurns; turn++) {
            boolean last = turn == toolTurns;
            if (turn > 0) {
                now += 200 + rnd.nextInt(300);
            }
            ObjectNode turnStart = loopEvent("TurnStart", loopId);
            turnStart.put("turn_index", turn);
            turnStart.put("timestamp", iso(now));
            turnStart.put("triggered_by", turn == 0 ? (parent == null ? "User" : "Continuation") : "Continuation");
            emit(current, turnStart);
            if (turn == 0) {
                ObjectNode user = message("user");
                user.putArray("content").addObject().put("type", "text").put("text", prose(20 + rnd.nextInt(60)));
                emit(current, withMessage(loopEvent("MessageStart", loopId), user));
                emit(current, withMessage(loopEvent("MessageEnd", loopId), user));
                messages.add(user);
            }

            ObjectNode request = loopEvent("TurnRequest", loopId);
            request.put("turn_index", turn);
            ObjectNode payload = request.putObject("request_payload");
            payload.put("model", cfg[1]).put("provider", cfg[0]).put("max_tokens", 8192);
            payload.put("system_prompt", systemPrompt);
            ArrayNode tools = payload.putArray("tools");
            for (String t : TOOLS) {
                ObjectNode def = tools.addObject().put("name", t).put("description", prose(25));
                def.putObject("parameters").put("type", "object").putObject("properties").putObject("input")
                        .put("type", "string").put("description", prose(8));
            }
            payload.set("messages", messages.deepCopy());
            request.put("timestamp", iso(now));
            emit(current, request);

            long in = 1500 + 400L * messages.size() + rnd.nextInt(2000);
            long out = 30 + rnd.nextInt(600);
            long reasoning = rnd.nextInt(4) == 0 ? rnd.nextInt(300) : 0;
            long cacheRead = rnd.nextInt(2) == 0 ? in / 2 : 0;
            ObjectNode turnUsage = usage(in, out, reasoning, cacheRead, 0);
            int calls = last ? 0 : 1 + (rnd.nextInt(3) == 0 ? 1 : 0) + (rnd.nextInt(8) == 0 ? 1 : 0);

            ObjectNode partial = message("assistant");
            partial.putArray("content");
            partial.put("stopReason", "stop").put("model", cfg[1]).put("provider", cfg[0]);
            partial.set("usage", usage(0, 0, 0, 0, 0));
            emit(current, withMessage(loopEvent("MessageStart", loopId), partial));
            int textWords = 30 + rnd.nextInt(121);
            StringBuilder text = new StringBuilder();
            for (int said = 0; said < textWords; ) {
                int chunk = Math.min(textWords - said, 3 + rnd.nextInt(10));
                String delta = (said == 0 ? "" : " ") + prose(chunk);
                text.append(delta);
                said += chunk;
                ObjectNode update = withMessage(loopEvent("MessageUpdate", loopId), partial);
                update.putObject("delta").putObject("Text").put("delta", delta);
                emit(current, update);
            }
            ObjectNode assistant = message("assistant");
            ArrayNode content = assistant.putArray("content");
            content.addObject().put("type", "text").put("text", text.toString());
            List<String[]> callsOfTurn = new ArrayList<>();
            for (int k = 0; k < calls; k++) {
                String id = "toolu_" + (++toolCallCounter);
                String name = TOOLS[rnd.nextInt(TOOLS.length)];
                String input = name.equals("bash") ? "cd /repo && ./build.sh " + prose(3) : "src/" + prose(2).replace(' ', '/') + ".java";
                callsOfTurn.add(new String[] {id, name, input});
                content.addObject().put("type", "toolCall").put("id", id).put("name", name).putObject("arguments").put("input", input);
            }
            assistant.put("stopReason", last ? "stop" : "toolUse");
            assistant.put("model", cfg[1]).put("provider", cfg[0]);
            assistant.set("usage", turnUsage);
            emit(current, withMessage(loopEvent("MessageEnd", loopId), assistant));
            messages.add(assistant);

            ArrayNode toolResults = F.arrayNode();
            for (String[] call : callsOfTurn) {
                ObjectNode exStart = loopEvent("ToolExecutionStart", loopId);
                exStart.put("tool_call_id", call[0]).put("tool_name", call[1]);
                exStart.putObject("args").put("input", call[2]);
                emit(current, exStart);
                now += 100 + rnd.nextInt(400); // the tool runs
                String output = toolOutput(1024 + rnd.nextInt(5 * 1024));
                ObjectNode exEnd = loopEvent("ToolExecutionEnd", loopId);
                exEnd.put("tool_call_id", call[0]).put("tool_name", call[1]);
                ObjectNode result = exEnd.putObject("result");
                result.putArray("content").addObject().put("type", "text").put("text", output);
                result.putNull("details");
                exEnd.put("is_error", false);
                exEnd.putNull("child_loop_id");
                emit(current, exEnd);
                ObjectNode toolResult = message("toolResult");
                toolResult.put("toolCallId", call[0]).put("toolName", call[1]);
                toolResult.putArray("content").addObject().put("type", "text").put("text", output);
                toolResult.put("isError", false);
                emit(current, withMessage(loopEvent("MessageStart", loopId), toolResult));
                emit(current, withMessage(loopEvent("MessageEnd", loopId), toolResult));
                toolResults.add(toolResult);
                messages.add(toolResult);
            }
            ObjectNode turnEnd = loopEvent("TurnEnd", loopId);
            turnEnd.set("message", assistant);
            turnEnd.set("usage", turnUsage);
            turnEnd.put("timestamp", iso(now));
            turnEnd.set("tool_results", toolResults);
            emit(current, turnEnd);
            loopUsage[0] += in;
            loopUsage[1] += out;
            loopUsage[2] += reasoning;
            loopUsage[3] += cacheRead;
            if (last) {
                ObjectNode end = loopEvent("AgentEnd", loopId);
                end.set("messages", messages);
                end.set("usage", usage(loopUsage[0], loopUsage[1], loopUsage[2], loopUsage[3], 0));
                end.put("timestamp", iso(now));
                end.putNull("rejection");
                emit(current, end);
            }
            turns.add(new Turn(List.copyOf(current)));
            current.clear();
        }
        return loopId;
    }

    /** The event at the next moment: 10-60 ms after the previous one. */
    private void emit(List<Timed> into, ObjectNode event) {
        now += 10 + rnd.nextInt(51);
        if (event.has("timestamp")) {
            event.put("timestamp", iso(now));
        }
        into.add(new Timed(now, event));
    }

    private static String iso(long millis) {
        return Instant.parse("2026-11-21T10:00:00Z").plusMillis(millis).toString();
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
        return F.objectNode().put("role", role).put("timestamp", messageMillis);
    }

    private static ObjectNode usage(long in, long out, long reasoning, long cacheRead, long cacheWrite) {
        return F.objectNode().put("input", in).put("output", out).put("reasoning", reasoning)
                .put("cache_read", cacheRead).put("cache_write", cacheWrite).put("total_tokens", in + out + reasoning);
    }

    /** Sentences of about {@code n} words. */
    private String prose(int n) {
        StringBuilder b = new StringBuilder();
        int sentence = 0;
        for (int i = 0; i < n; i++) {
            String w = words.zipf(rnd);
            if (sentence == 0) {
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
            }
            b.append(i > 0 ? " " : "").append(w);
            if (++sentence >= 6 + rnd.nextInt(14) || i == n - 1) {
                b.append(rnd.nextInt(5) == 0 ? ',' : '.');
                sentence = b.charAt(b.length() - 1) == ',' ? 1 : 0;
            }
        }
        return b.toString();
    }

    /** Source-like output of about {@code bytes} bytes: indented lines of identifiers, calls and comments. */
    private String toolOutput(int bytes) {
        StringBuilder b = new StringBuilder();
        int indent = 0;
        int line = 1 + rnd.nextInt(400);
        while (b.length() < bytes) {
            b.append(line++).append('\t').append("    ".repeat(indent));
            switch (rnd.nextInt(6)) {
                case 0 -> {
                    b.append("// ").append(prose(4 + rnd.nextInt(10)));
                }
                case 1 -> {
                    b.append(words.zipf(rnd)).append(' ').append(camel()).append('(').append(words.zipf(rnd)).append(' ')
                            .append(words.zipf(rnd)).append(") {");
                    indent = Math.min(4, indent + 1);
                }
                case 2 -> {
                    b.append('}');
                    indent = Math.max(0, indent - 1);
                }
                default -> b.append(camel()).append(" = ").append(camel()).append('.').append(camel()).append('(')
                        .append(words.zipf(rnd)).append(", ").append(rnd.nextInt(1000)).append(");");
            }
            b.append('\n');
        }
        return b.toString();
    }

    private String camel() {
        String a = words.zipf(rnd);
        String c = words.zipf(rnd);
        return a + Character.toUpperCase(c.charAt(0)) + c.substring(1);
    }

    /** 4,000 pronounceable words, ranked; drawn with a Zipf distribution (s = 1.07), as words of a text are. */
    static final class Vocabulary {
        private static final String[] ONSETS = {"b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w",
            "st", "tr", "pl", "ch", "sh", "th", "br", "gr", ""};
        private static final String[] VOWELS = {"a", "e", "i", "o", "u", "ea", "ou", "io", "ai"};
        private static final String[] CODAS = {"", "", "n", "r", "s", "t", "l", "d", "ng", "st", "ck", "m"};
        static final Vocabulary INSTANCE = new Vocabulary(4000, 1.07, 7);
        private final String[] words;
        private final double[] cdf;

        Vocabulary(int size, double s, long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            words = new String[size];
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < size; ) {
                int syllables = i < 60 ? 1 : 1 + r.nextInt(i < 600 ? 2 : 4);
                StringBuilder w = new StringBuilder();
                for (int k = 0; k < syllables; k++) {
                    w.append(ONSETS[r.nextInt(ONSETS.length)]).append(VOWELS[r.nextInt(VOWELS.length)])
                            .append(CODAS[r.nextInt(CODAS.length)]);
                }
                if (seen.add(w.toString())) {
                    words[i++] = w.toString();
                }
            }
            cdf = new double[size];
            double sum = 0;
            for (int i = 0; i < size; i++) {
                sum += 1 / Math.pow(i + 1, s);
                cdf[i] = sum;
            }
            for (int i = 0; i < size; i++) {
                cdf[i] /= sum;
            }
        }

        String zipf(SplittableRandom r) {
            int i = Arrays.binarySearch(cdf, r.nextDouble());
            return words[Math.min(words.length - 1, i < 0 ? -i - 1 : i)];
        }
    }
}
