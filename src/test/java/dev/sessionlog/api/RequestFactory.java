package dev.sessionlog.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

/**
 * Requests for the fuzz test: every route of the API (and some that are not), each part drawn from
 * values that are valid, malformed or extreme (ids, cursors, query parameters, bodies, nesting,
 * numbers, timestamps, sizes, unicode). Valid values are common enough that sessions exist, so that
 * the read routes get past "not found" into their real work.
 */
final class RequestFactory {

    record Request(String method, String tenant, String path, String body) {
        @Override
        public String toString() {
            String shown = body == null ? "" : body.length() > 300 ? body.substring(0, 300) + "...(" + body.length() + " chars)" : body;
            return method + " " + (path.length() > 300 ? path.substring(0, 300) + "..." : path) + " tenant="
                    + (tenant == null ? null : tenant.length() > 60 ? tenant.substring(0, 60) + "..." : tenant) + " " + shown;
        }
    }

    private final Random random;
    private final String tenant;
    private final List<String> sessions = new ArrayList<>();
    private final List<String> eventIds = new ArrayList<>();

    RequestFactory(Random random, String tenant) {
        this.random = random;
        this.tenant = tenant;
        for (int i = 0; i < 6; i++) {
            sessions.add("fz-" + i);
        }
        for (int i = 0; i < 20; i++) {
            eventIds.add("e-" + i);
        }
    }

    Request next() {
        String tenantNow = pick(20) == 0 ? oddTenant() : tenant;
        return switch (random.nextInt(16)) {
            case 0, 1, 2, 3 -> new Request("POST", tenantNow, "/v1/sessions/" + sessionSegment() + "/events", appendBody());
            case 4 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/events" + query("after_seq", "limit"), null);
            case 5 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/head" + (pick(4) == 0 ? query("limit") : ""), null);
            case 6 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/events/" + idSegment() + "/children"
                    + query("limit", "cursor"), null);
            case 7 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment(), null);
            case 8 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/loops/" + loopSegment()
                    + query("part", "after", "limit"), null);
            case 9 -> new Request("GET", tenantNow, "/v1/sessions" + query("agent_id", "active_since", "limit", "cursor"), null);
            case 10 -> new Request(oneOf("PUT", "DELETE", "PATCH", "POST", "GET", "HEAD"), tenantNow, oddPath(), pick(2) == 0 ? null : appendBody());
            case 12 -> new Request("POST", tenantNow, "/v1/sessions/" + sessionSegment() + "/fork", forkBody());
            // Erasures mostly of forks (the sessions appends go to stay, or appends would all be refused)
            case 13 -> pick(5) == 0 ? new Request("DELETE", tenantNow, "/v1/sessions/" + (pick(10) == 0 ? sessionSegment()
                    : "fk-" + pick(50)), null)
                    : new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/verify"
                    + query("from_seq", "through_seq", "receipt_seq", "receipt_chain"), null);
            case 14 -> new Request("GET", tenantNow, "/v1/sessions/" + sessionSegment() + "/events"
                    + query("order", "before_seq", "after_seq", "types", "limit"), null);
            default -> new Request("POST", tenantNow, "/v1/sessions/" + sessionSegment() + "/events", nastyBody());
        };
    }

    /** A fork's body: the new id and at_seq each drawn from good, odd and bad values. */
    private String forkBody() {
        return switch (pick(6)) {
            case 0 -> "{\"new_session_id\":\"" + sessionSegment() + "\"}";
            case 1 -> "{\"new_session_id\":\"fk-" + pick(1000) + "\",\"at_seq\":" + oneOf("1", "0", "-1", "2", "1e3", "\"1\"",
                    "9223372036854775807", "99999999999999999999", "null", "1.5") + "}";
            case 2 -> oneOf("", "{", "[]", "null", "{\"at_seq\":1}", "{\"new_session_id\":7}", "{\"new_session_id\":\"\"}");
            case 3 -> "{\"new_session_id\":\"" + "x".repeat(129) + "\"}";
            case 4 -> "{\"new_session_id\":\"a/b\",\"at_seq\":1}";
            default -> "{\"new_session_id\":\"fk-" + pick(50) + "\",\"at_seq\":" + (1 + pick(5)) + "}";
        };
    }

    private int pick(int n) {
        return random.nextInt(n);
    }

    @SafeVarargs
    private <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    private String oddTenant() {
        return oneOf(null, "", " ", "t\uD800x", "t\uDC00", "ü-tenant", "a#b", "x".repeat(300), "%zz", "tenant\u0000", "🙂", "t e n");
    }

    private String sessionSegment() {
        if (pick(5) > 0) {
            return sessions.get(pick(sessions.size()));
        }
        return encode(oneOf("", "..", ".", "a/b", "a b", "%zz", "x".repeat(129), "x".repeat(128), "ü", "🙂", "#", "a#b", "%",
                "s\u0000", "null", "-1", "CON", "s%2F1"), pick(3) == 0);
    }

    private String idSegment() {
        if (pick(3) > 0) {
            return eventIds.get(pick(eventIds.size()));
        }
        return encode(oneOf("", "x".repeat(129), "%zz", "a/b", "🙂", "root", ".", "e-1 "), pick(2) == 0);
    }

    private String loopSegment() {
        return pick(2) == 0 ? sessions.get(pick(sessions.size())) + ".m." + pick(3) : encode(oneOf("", "%zz", "x".repeat(3000), "🙂", "."), pick(2) == 0);
    }

    private String oddPath() {
        return oneOf("/", "/v1", "/v1/", "/v2/sessions", "/v1/sessions/fz-1/events/extra/more", "/v1/sessions/fz-1/unknown",
                "//v1/sessions", "/v1/sessions/%zz", "/v1/sessions/fz-1/events?x=%zz", "/" + "a/".repeat(500), "/v1/sessions/fz-1/loops",
                "/v1/sessions/fz-1/events/e-1", "/v1/sessions/fz-1/events/e-1/children/x", "/v1/sessions/fz-1/head/");
    }

    private static String encode(String value, boolean raw) {
        return raw ? value : URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private String query(String... names) {
        StringBuilder q = new StringBuilder();
        for (String name : names) {
            if (pick(2) == 0) {
                continue;
            }
            q.append(q.length() == 0 ? "?" : "&").append(name).append('=').append(value(name));
        }
        if (pick(8) == 0) {
            q.append(q.length() == 0 ? "?" : "&").append(oneOf("limit", "x", "after_seq", "%zz", "cursor")).append('=').append(oneOf("", "1", "%zz", "a=b"));
        }
        return q.toString();
    }

    private String value(String name) {
        return switch (name) {
            case "order" -> encode(oneOf("asc", "desc", "", "DESC", "up", "desc,asc"), pick(4) == 0);
            case "types" -> encode(oneOf("Note", "TurnEnd,ToolExecutionEnd", "", ",", "A,,B", "A,".repeat(20) + "B", "T".repeat(257),
                    "🙂", "%zz", "a b"), pick(4) == 0);
            case "receipt_chain" -> oneOf("a".repeat(64), "A".repeat(64), "abc", "", "%zz", "0".repeat(65));
            case "limit", "after_seq", "after", "before_seq", "from_seq", "through_seq", "receipt_seq" -> encode(oneOf("0", "1", "3", "100", "1000", "1001", "-1", "abc", "1e3", "1.5",
                    "99999999999999999999", "9223372036854775807", " 5", "", "0x10", "٣"), pick(4) == 0);
            case "cursor" -> cursor();
            case "active_since" -> encode(oneOf("2026-11-21T10:00:00Z", "2000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z",
                    "+999999999-12-31T23:59:59Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z", "yesterday", "", "2026-02-30T00:00:00Z",
                    "2026-11-21T10:00:00+02:00"), false);
            case "agent_id" -> encode(oneOf("a", "agent-1", "", "x".repeat(1025), "x".repeat(1024), "🙂", "a#b", "%zz"), pick(4) == 0);
            case "part" -> oneOf("messages", "turns", "", "everything", "MESSAGES", "%zz");
            default -> "1";
        };
    }

    private String cursor() {
        String json = oneOf("{}", "{\"k\":{}}", "{\"k\":{\"pk\":\"S:x\"}}", "{\"k\":{\"parent_key\":\"S:" + tenant + "#fz-1#e-1\",\"child_key\":\"S:a\",\"pk\":\"S:"
                        + tenant + "#fz-1\",\"seq\":\"N:1e999\"}}", "{\"k\":{\"parent_key\":\"S:" + tenant + "#fz-1#e-1\",\"child_key\":\"S:a\",\"pk\":\"S:other#fz-1\",\"seq\":\"N:1\"}}",
                "{\"q\":\"x\",\"s\":[null,null,null,null,null,null,null,null]}", "{\"s\":[1,2]}", "[]", "null", "{\"k\":{\"seq\":\"N:abc\"}}");
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        return oneOf(encoded, "garbage", "%zz", "====", "", encoded + "x", "a".repeat(5000));
    }

    private String appendBody() {
        StringBuilder events = new StringBuilder();
        int count = oneOf(1, 1, 2, 3, 10, 0, 101, 100);
        for (int i = 0; i < count; i++) {
            events.append(i == 0 ? "" : ",").append(envelope(i));
        }
        String expected = pick(4) == 0 ? "\"expected_seq\":" + oneOf("0", "1", "-1", "1.5", "\"3\"", "null", "99999999999999999999", "1e400") + "," : "";
        return "{" + expected + "\"events\":[" + events + "]}";
    }

    private String envelope(int i) {
        StringBuilder e = new StringBuilder("{");
        if (pick(2) == 0) {
            e.append("\"event_id\":").append(pick(6) == 0 ? oneOf("\"\"", "7", "null", "\"a b\"", "\"" + "x".repeat(129) + "\"")
                    : "\"" + eventIds.get(pick(eventIds.size())) + "-" + pick(1000) + "\"").append(',');
        }
        if (pick(3) == 0) {
            e.append("\"parent_event_id\":\"").append(eventIds.get(pick(eventIds.size()))).append("\",");
            if (pick(2) == 0) {
                e.append("\"parent_session_id\":").append(oneOf("\"fz-1\"", "\"fz-2\"", "\"\"", "1", "\"a/b\"")).append(',');
            }
        } else if (pick(20) == 0) {
            e.append("\"parent_session_id\":\"fz-3\",");
        }
        e.append("\"event\":").append(event(i));
        return e.append('}').toString();
    }

    private String event(int i) {
        String session = sessions.get(pick(sessions.size()));
        String loop = session + ".m." + pick(2);
        return switch (pick(10)) {
            case 0 -> "{\"type\":\"AgentStart\",\"agent_id\":" + oneOf("\"a\"", "\"" + "a".repeat(3000) + "\"", "7", "null")
                    + ",\"session_id\":\"" + session + "\",\"loop_id\":\"" + loop + "\",\"timestamp\":" + timestamp() + "}";
            case 1 -> "{\"type\":\"TurnStart\",\"loop_id\":\"" + loop + "\",\"turn_index\":" + oneOf("0", "-1", "1e99", "\"x\"")
                    + ",\"timestamp\":" + timestamp() + ",\"triggered_by\":" + oneOf("\"User\"", "{}", "null") + "}";
            case 2 -> "{\"type\":\"MessageEnd\",\"loop_id\":\"" + loop + "\",\"message\":" + oneOf("{\"role\":\"user\",\"content\":[]}",
                    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"" + "é".repeat(pick(2000)) + "\"}]}", "[]", "null") + "}";
            case 3 -> "{\"type\":\"TurnEnd\",\"loop_id\":\"" + loop + "\",\"message\":{\"role\":\"assistant\",\"content\":[]},\"usage\":{\"input\":"
                    + oneOf("1", "1e99999999", "-5", "1.5", "\"x\"", "18446744073709551616", "null") + "},\"timestamp\":" + timestamp()
                    + ",\"tool_results\":" + oneOf("[]", "[1]", "null", "{}") + "}";
            case 4 -> "{\"type\":\"ToolExecutionEnd\",\"loop_id\":\"" + loop + "\",\"tool_call_id\":\"t\",\"tool_name\":\"n\",\"result\":"
                    + oneOf("{\"child_loop_id\":\"other.m.0\"}", "{\"child_loop_id\":7}", "null", "\"x\"") + "}";
            case 5 -> "{\"type\":\"AgentEnd\",\"loop_id\":\"" + loop + "\",\"messages\":" + oneOf("[]", "[1]", "null") + ",\"usage\":null}";
            case 6 -> "{\"type\":\"ParallelLoopEnd\",\"session_id\":\"" + session + "\",\"selected_loop_id\":\"" + loop
                    + "\",\"selected_config_index\":" + oneOf("0", "-1", "99999999999999999999") + "}";
            case 7 -> "{\"type\":" + oneOf("\"\"", "7", "null", "\"" + "T".repeat(257) + "\"", "\"T\"", "\"🙂\"", "\"a\\u0000b\"") + "}";
            case 8 -> "{\"type\":\"custom.nested\",\"v\":" + "[".repeat(pick(1200)) + "]".repeat(0) + "}";
            default -> "{\"type\":\"custom." + i + "\",\"n\":" + oneOf("1e400", "-0", "1" + "0".repeat(999), "0." + "1".repeat(900), "true", "\"\\ud800\"")
                    + ",\"big\":\"" + "x".repeat(oneOf(0, 10, 70_000, 1_048_000)) + "\"}";
        };
    }

    private String timestamp() {
        return oneOf("\"2026-11-21T10:00:00Z\"", "\"+999999999-12-31T23:59:59-18:00\"", "\"-999999999-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
                "\"0000-01-01T00:00:00Z\"", "\"not a time\"", "1795255200000", "null", "\"2026-11-21T10:00:00.123456789123Z\"",
                "\"2026-11-21 10:00:00+00:00\"");
    }

    /** Bodies that are not what an append expects at all. */
    private String nastyBody() {
        return switch (pick(10)) {
            case 0 -> "";
            case 1 -> "{";
            case 2 -> "[1,2]";
            case 3 -> "{\"events\":" + "[".repeat(1100) + "]".repeat(1100) + "}";
            case 4 -> "{\"events\":[{\"event\":{\"type\":\"X\"}}]," + "\"x\":".repeat(0) + "\"pad\":\"" + "x".repeat(5 * 1024 * 1024) + "\"}";
            case 5 -> "{\"events\":[{\"event\":{\"type\":\"X\",\"s\":\"\\ud800\\udc00\\ud800\"}}]}";
            case 6 -> "null";
            case 7 -> "{\"events\":[{\"event\":{\"type\":\"X\",\"n\":" + "9".repeat(2000) + "}}]}";
            case 8 -> "\uFEFF{\"events\":[{\"event\":{\"type\":\"X\"}}]}";
            default -> "{\"events\":[{\"event\":{\"type\":\"X\"}}]}{\"trailing\":1}";
        };
    }
}
