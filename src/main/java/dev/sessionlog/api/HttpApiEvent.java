package dev.sessionlog.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** API Gateway HTTP API's Lambda event, payload format 2.0: the fields sessionlog reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class HttpApiEvent {
    @JsonProperty("version") public String version = "2.0";
    @JsonProperty("routeKey") public String routeKey;
    @JsonProperty("rawPath") public String rawPath;
    @JsonProperty("rawQueryString") public String rawQueryString;
    @JsonProperty("headers") public Map<String, String> headers;
    @JsonProperty("queryStringParameters") public Map<String, String> queryStringParameters;
    @JsonProperty("pathParameters") public Map<String, String> pathParameters;
    @JsonProperty("requestContext") public RequestContext requestContext;
    @JsonProperty("body") public String body;
    @JsonProperty("isBase64Encoded") public boolean isBase64Encoded;

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class RequestContext {
        @JsonProperty("requestId") public String requestId;
        @JsonProperty("http") public Http http;
        @JsonProperty("authorizer") public Authorizer authorizer;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Http {
        @JsonProperty("method") public String method;
        @JsonProperty("path") public String path;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Authorizer {
        @JsonProperty("jwt") public Jwt jwt;
        @JsonProperty("lambda") public Map<String, Object> lambda;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Jwt {
        @JsonProperty("claims") public Map<String, Object> claims;
    }

    public String method() {
        return requestContext != null && requestContext.http != null && requestContext.http.method != null
                ? requestContext.http.method.toUpperCase() : "";
    }

    public String path() {
        if (rawPath != null) {
            return rawPath;
        }
        return requestContext != null && requestContext.http != null ? requestContext.http.path : "/";
    }

    public String requestId() {
        return requestContext == null ? null : requestContext.requestId;
    }

    /** Headers are lower-cased by API Gateway; look them up case-insensitively anyway. */
    public String header(String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    public String query(String name) {
        return queryStringParameters == null ? null : queryStringParameters.get(name);
    }

    public String bodyText() {
        if (body == null) {
            return null;
        }
        if (!isBase64Encoded) {
            return body;
        }
        try {
            return new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("request body is not valid base64 although isBase64Encoded is true");
        }
    }
}
