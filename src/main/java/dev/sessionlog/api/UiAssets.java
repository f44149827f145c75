package dev.sessionlog.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The timeline page: {@code GET /ui/} and its few static files, served from the function's own
 * classpath (nothing is fetched from elsewhere at page load, nothing to build). No tenant is needed
 * to load them: the page's own API calls carry the tenant or the token.
 */
final class UiAssets {

    /** The files there are, by name, with their content types: nothing else under /ui/ is served. */
    static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "app.css", "text/css; charset=utf-8");

    private UiAssets() {
    }

    static boolean isUiPath(String path) {
        return path.equals("/ui") || path.startsWith("/ui/");
    }

    static HttpApiResponse serve(HttpApiEvent event) {
        String path = event.path();
        if (!"GET".equals(event.method()) && !"HEAD".equals(event.method())) {
            throw new ApiException(405, "method_not_allowed", event.method() + " is not allowed on " + path + "; use GET");
        }
        // /ui, /ui/ and /ui/index.html are the page (its files are referred to from /ui/, whichever it was)
        String name = path.equals("/ui") ? "" : path.substring("/ui/".length());
        name = name.isEmpty() ? "index.html" : name;
        String type = FILES.get(name);
        if (type == null) {
            throw new ApiException(404, "route_not_found", "no file " + QueryHandler.abbreviate(path) + " in the timeline page");
        }
        HttpApiResponse r = new HttpApiResponse();
        r.statusCode = 200;
        r.headers.put("content-type", type);
        r.headers.put("cache-control", "no-cache");
        r.headers.put("x-content-type-options", "nosniff");
        // The page shows a tenant's data: no other site may frame it (clickjacking) or learn its URLs (session ids).
        // It connects to the follow API's WebSocket (wss: on AWS, the local runner's port on loopback).
        r.headers.put("content-security-policy",
                "default-src 'self'; connect-src 'self' wss: ws://127.0.0.1:* ws://localhost:*; img-src 'self' data:; "
                        + "style-src 'self'; script-src 'self'; frame-ancestors 'none'");
        r.headers.put("x-frame-options", "DENY");
        r.headers.put("referrer-policy", "no-referrer");
        r.body = read(name);
        return r;
    }

    private static String read(String name) {
        try (InputStream in = UiAssets.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the function is packaged without ui/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
