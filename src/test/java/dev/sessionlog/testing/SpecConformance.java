package dev.sessionlog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sessionlog.testing.OpenApiSpec.Operation;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a real answer of the handlers against openapi.yaml: its status is one the operation documents,
 * its body an instance of that response's schema (strict: no undocumented field), its error code one
 * the response names, its documented headers present and well-formed. ApiClient runs it on every answer
 * of every API test, so the document cannot drift from what the handlers say.
 */
public final class SpecConformance {

    private static final OpenApiSpec SPEC = OpenApiSpec.load();

    private SpecConformance() {
    }

    /** The operation whose path template matches a request's path; null when none does. */
    public static Operation operationOf(String method, String rawPath) {
        if (rawPath.length() > 1 && rawPath.endsWith("/")) {
            rawPath = rawPath.substring(0, rawPath.length() - 1); // the handlers take a trailing slash as none
        }
        Operation anyMethod = null;
        for (Operation op : SPEC.operations()) {
            if (template(op.path()).matcher(rawPath).matches()) {
                if (op.method().equals(method)) {
                    return op;
                }
                anyMethod = op;
            }
        }
        return anyMethod == null ? null : new Operation(method, anyMethod.path(), null);
    }

    /** A path template as a pattern; an empty segment matches too (the handler names the empty parameter: 400). */
    private static Pattern template(String path) {
        return Pattern.compile(Pattern.quote(path).replaceAll("\\{[^}]+}", "\\\\E[^/]*\\\\Q"));
    }

    /** Throws AssertionError naming what differs when the answer is not what the document says. */
    public static void check(String method, String rawPath, ApiClient.Response r) {
        Operation op = operationOf(method, rawPath);
        String what = method + " " + rawPath + " " + r.status();
        String code = r.error().path("code").asText();
        String response;
        // The document's general answers, whatever the path: no route (an empty last segment too), no such
        // method, a path that is not valid percent-encoding (refused before its method is looked at).
        if (r.status() == 405 && code.equals("method_not_allowed")) {
            response = SPEC.follow("/components/responses/MethodNotAllowed");
        } else if ((op == null || op.node() == null) && r.status() == 400) {
            response = SPEC.follow("/components/responses/BadRequest");
        } else if (op == null || r.status() == 404 && code.equals("route_not_found")) {
            response = SPEC.follow("/components/responses/RouteNotFound");
        } else if (op.node() == null) {
            throw new AssertionError(what + ": " + method + " is no operation of " + op.path() + ", yet answered " + r.body());
        } else {
            response = SPEC.response(op, r.status());
            if (response == null) {
                throw new AssertionError(op + " does not document " + r.status() + ": " + r.body());
            }
        }
        conforms(what, response, r);
    }

    public static void conforms(String what, String responsePointer, ApiClient.Response r) {
        JsonNode response = SPEC.at(responsePointer);
        String mediaType = r.headers().getOrDefault("content-type", "").split(";")[0].trim();
        if (!response.path("content").has(mediaType)) {
            throw new AssertionError(what + " answered " + mediaType + ", not a documented content type");
        }
        List<String> errors = SPEC.validate(responsePointer + "/content/" + OpenApiSpec.escape(mediaType) + "/schema", r.body());
        if (!errors.isEmpty()) {
            throw new AssertionError(what + ": " + errors + " in " + abbreviated(r.body()));
        }
        if (r.body().has("error")) {
            String code = r.error().path("code").asText();
            List<String> codes = new ArrayList<>();
            response.path(OpenApiSpec.ERROR_CODES).forEach(c -> codes.add(c.asText()));
            if (!codes.contains(code)) {
                throw new AssertionError(what + " answered code " + code + ", the response names " + codes);
            }
        }
        Iterator<Map.Entry<String, JsonNode>> headers = response.path("headers").fields();
        while (headers.hasNext()) {
            Map.Entry<String, JsonNode> h = headers.next();
            String value = r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(h.getKey()))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (value == null) {
                throw new AssertionError(what + " has no " + h.getKey() + " header");
            }
            String header = SPEC.follow(responsePointer + "/headers/" + OpenApiSpec.escape(h.getKey()));
            JsonNode instance = "integer".equals(SPEC.at(SPEC.follow(header + "/schema")).path("type").asText())
                    ? IntNode.valueOf(Integer.parseInt(value)) : TextNode.valueOf(value);
            List<String> wrong = SPEC.validate(header + "/schema", instance);
            if (!wrong.isEmpty()) {
                throw new AssertionError(what + " " + h.getKey() + ": " + value + " " + wrong);
            }
        }
    }

    private static String abbreviated(JsonNode body) {
        String text = body.toString();
        return text.length() > 2_000 ? text.substring(0, 2_000) + "..." : text;
    }
}
