package dev.sessionlog.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.sessionlog.event.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/** The response API Gateway HTTP API expects back from a payload 2.0 Lambda. */
public class HttpApiResponse {
    @JsonProperty("statusCode") public int statusCode;
    @JsonProperty("headers") public Map<String, String> headers = new LinkedHashMap<>();
    @JsonProperty("body") public String body;
    @JsonProperty("isBase64Encoded") public boolean isBase64Encoded;

    public HttpApiResponse() {
    }

    public static HttpApiResponse json(int status, Object body) {
        HttpApiResponse r = new HttpApiResponse();
        r.statusCode = status;
        r.headers.put("content-type", "application/json");
        // Event bodies are the clients' own text: no browser may sniff an answer into HTML or script.
        r.headers.put("x-content-type-options", "nosniff");
        r.body = Json.write(body);
        return r;
    }

    public HttpApiResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
