package dev.sessionlog.function;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.AppendRequest;
import dev.sessionlog.event.AppendRequestParser;
import dev.sessionlog.event.EventRecord;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.Json;
import dev.sessionlog.event.Limits;
import dev.sessionlog.recorder.RecorderOptions;
import dev.sessionlog.recorder.SessionFold;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * SnapStart priming: before Lambda snapshots the initialized function, run the hot paths once, so
 * that the snapshot holds loaded, linked and partly compiled classes of Jackson, the parsers, the
 * fold and the AWS SDK (with its HTTP client and signer), and not only the framework's.
 */
@Startup
@ApplicationScoped
public class SnapStartPriming implements Resource {

    private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);
    private static final String SAMPLE = """
            {"expected_seq":0,"events":[
             {"event_id":"p-1","event":{"type":"AgentStart","agent_id":"a","session_id":"priming","loop_id":"priming.m.0","timestamp":"2026-01-01T00:00:00Z"}},
             {"event_id":"p-2","event":{"type":"TurnStart","loop_id":"priming.m.0","turn_index":0,"timestamp":"2026-01-01T00:00:01Z","triggered_by":"User"}},
             {"event_id":"p-3","event":{"type":"MessageEnd","loop_id":"priming.m.0","message":{"role":"user","content":[{"type":"text","text":"hi"}],"timestamp":1767225600000}}}]}
            """;

    /** Resolved in {@link #prime()}: a start without SnapStart builds the AWS clients on first use. */
    @Inject
    Instance<Components> components;

    @PostConstruct
    void register() {
        Core.getGlobalContext().register(this);
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to refresh: the SDK opens new connections as it needs them
    }

    /** Runs the hot paths once; never fails the snapshot. Returns whether the AWS call went through. */
    public boolean prime() {
        AppendRequest request = new AppendRequestParser(Limits.defaults()).parse("priming", SAMPLE);
        SessionFold fold = SessionFold.start("priming", RecorderOptions.defaults());
        long seq = 1;
        for (var e : request.events()) {
            EventRecord record = new EventRecord(seq++, e.eventId(), null, Instant.EPOCH, e.event());
            ObjectNode wire = EventRecordJson.toJson(record);
            fold.apply(EventRecordJson.fromJson(Json.parse(Json.bytes(wire))));
        }
        Json.write(fold.toSessionJson());
        try {
            // A key no session has: loads the SDK's whole request path at the cost of one read unit.
            Components graph = components.get();
            graph.dynamo().query(b -> b.tableName(graph.settings().eventsTable())
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("sessionlog-priming#priming"))).limit(1));
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("priming call to DynamoDB failed (the snapshot is taken anyway): %s", e.toString());
            return false;
        }
    }
}
