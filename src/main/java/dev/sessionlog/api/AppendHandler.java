package dev.sessionlog.api;

import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.log.AppendResult;
import dev.sessionlog.log.AppendedEvent;
import dev.sessionlog.log.EventLog;
import dev.sessionlog.log.StreamKey;
import dev.sessionlog.log.TimeBudget;
import dev.sessionlog.sessions.SessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.sessionlog.observe.Metrics;
import dev.sessionlog.observe.Metrics.Metric;
import dev.sessionlog.observe.RequestLog;
import org.jboss.logging.Logger;

/**
 * The write routes: {@code POST /v1/sessions/{session_id}/events} (append), and the lifecycle's
 * {@code POST .../fork} and {@code DELETE /v1/sessions/{session_id}} ({@link LifecycleHandler}).
 */
public final class AppendHandler {

    private static final Logger LOG = Logger.getLogger(AppendHandler.class);

    private final EventLog log;
    private final AppendRequestParser parser;
    private final TenantResolver tenants;
    private final Metrics metrics;

    private final Duration timeBudget;

    private final LifecycleHandler lifecycle;

    public AppendHandler(EventLog log, AppendRequestParser parser, TenantResolver tenants, Metrics metrics, Duration timeBudget,
                         SessionStore sessions) {
        this.lifecycle = new LifecycleHandler(log, sessions);
        this.log = log;
        this.parser = parser;
        this.tenants = tenants;
        this.metrics = metrics;
        this.timeBudget = timeBudget;
    }

    public HttpApiResponse handle(HttpApiEvent event) {
        long started = System.nanoTime();
        try {
            TimeBudget.start(timeBudget);
            RequestLog.start(event.requestId(), null, null);
            ApiPath path = ApiPath.of(event);
            Route route = Route.of(path, event.method());
            if (!route.isWrite()) {
                throw new ApiException(405, "method_not_allowed", event.method() + " " + event.path()
                        + " is served by the query function; this one serves the write routes");
            }
            String tenant = tenants.tenant(event, route);
            String sessionId = path.id(1, "session_id");
            RequestLog.start(event.requestId(), tenant, sessionId);
            if (route == Route.FORK) {
                return lifecycle.fork(new StreamKey(tenant, sessionId), event.bodyText());
            }
            if (route == Route.ERASE) {
                return lifecycle.erase(new StreamKey(tenant, sessionId));
            }
            AppendRequest request = parser.parse(sessionId, event.bodyText());
            AppendResult result = log.append(new StreamKey(tenant, sessionId), request);
            long written = result.events().stream().filter(e -> !e.duplicate()).count();
            RequestLog.put("seq", result.events().get(0).seq() + ".." + result.events().get(result.events().size() - 1).seq());
            LOG.infof("appended %d of %d events, head %d", written, result.events().size(), result.headSeq());
            metrics.emit("append", Map.of(Metric.EventsAppended, written,
                    Metric.AppendLatency, (System.nanoTime() - started) / 1_000_000.0));
            return HttpApiResponse.json(result.wroteAny() ? 201 : 200, body(result));
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, event.requestId());
        } finally {
            RequestLog.end();
            TimeBudget.end();
        }
    }

    private static Map<String, Object> body(AppendResult result) {
        List<Map<String, Object>> events = new ArrayList<>(result.events().size());
        for (AppendedEvent e : result.events()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("event_id", e.eventId());
            one.put("seq", e.seq());
            one.put("duplicate", e.duplicate());
            events.add(one);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("session_id", result.sessionId());
        body.put("head_seq", result.headSeq());
        body.put("chain", result.chain());
        body.put("events", events);
        return body;
    }
}
