package dev.sessionlog.sessions;

import static dev.sessionlog.sessions.SessionItems.ACTIVITY;
import static dev.sessionlog.sessions.SessionItems.AGENT_KEY;
import static dev.sessionlog.sessions.SessionItems.BY_ACTIVITY;
import static dev.sessionlog.sessions.SessionItems.BY_AGENT;
import static dev.sessionlog.sessions.SessionItems.LIST_SHARDS;
import static dev.sessionlog.sessions.SessionItems.PK;
import static dev.sessionlog.sessions.SessionItems.TENANT_KEY;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sessionlog.event.EventRecordJson;
import dev.sessionlog.event.InvalidRequestException;
import dev.sessionlog.event.Json;
import dev.sessionlog.log.IoPool;
import dev.sessionlog.log.dynamo.PageCursor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

/**
 * A tenant's sessions, newest activity (last_event_at) first, from the sharded list indexes: every
 * shard is read at once (one Query each) and the shards' answers are merged. The cursor holds each
 * shard's own position: the last session of it that a page served, so nothing is skipped or served
 * twice, and it is bound to the listing's filters.
 */
public final class SessionListing {

    private static final String DONE = "done";

    private final DynamoDbClient dynamo;
    private final String table;

    public SessionListing(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** A page of session summaries (the index items) and the next page's cursor, null at the end. */
    public record Page(List<Map<String, AttributeValue>> items, String nextCursor) {
    }

    /** The forks of one session, newest activity first: one partition of the forks index. */
    public Page forksOf(String tenant, String source, Instant activeSince, int limit, String cursor) {
        String query = SessionItems.keyPart("tenant=" + tenant + "|forked_from=" + source + "|active_since="
                + (activeSince == null ? "" : activeSince) + "|#");
        PageCursor.Shape shape = new PageCursor.Shape(PageCursor.keys(SessionItems.FORK_KEY, "S", ACTIVITY, "S", PK, "S"),
                SessionItems.FORK_KEY, SessionItems.forkKey(tenant, source), query);
        Map<String, AttributeValue> start = PageCursor.decode(cursor, shape);
        PageCursor.requireTenant(start, PK, tenant);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", AttributeValue.fromS(shape.partitionValue()));
        String condition = SessionItems.FORK_KEY + " = :p";
        if (activeSince != null) {
            values.put(":since", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(activeSince)));
            condition += " AND " + ACTIVITY + " >= :since";
        }
        String keyCondition = condition;
        QueryResponse r = dynamo.query(b -> b.tableName(table).indexName(SessionItems.BY_FORK).keyConditionExpression(keyCondition)
                .expressionAttributeValues(values).scanIndexForward(false).limit(limit).exclusiveStartKey(start)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        boolean more = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty();
        return new Page(r.items(), more ? PageCursor.encode(r.lastEvaluatedKey(), query) : null);
    }

    public Page list(String tenant, String agentId, Instant activeSince, int limit, String cursor) {
        // The cursor is bound to the tenant and the filters: any other listing refuses it.
        String query = SessionItems.keyPart("tenant=" + tenant + "|agent_id=" + (agentId == null ? "" : agentId)
                + "|active_since=" + (activeSince == null ? "" : activeSince) + "|#");
        String[] positions = decode(cursor, query);
        List<CompletableFuture<ShardAnswer>> reads = new ArrayList<>();
        for (int shard = 0; shard < LIST_SHARDS; shard++) {
            int s = shard;
            String position = positions[shard];
            if (DONE.equals(position)) {
                continue;
            }
            PageCursor.Shape shape = shape(tenant, agentId, s, query);
            Map<String, AttributeValue> start = PageCursor.decode(position, shape);
            PageCursor.requireTenant(start, PK, tenant);
            reads.add(IoPool.supply(() -> read(shape, s, activeSince, limit, start)));
        }
        List<Map.Entry<Integer, Map<String, AttributeValue>>> merged = new ArrayList<>();
        Map<Integer, ShardAnswer> answers = new HashMap<>();
        for (CompletableFuture<ShardAnswer> read : reads) {
            ShardAnswer answer = IoPool.join(read);
            answers.put(answer.shard(), answer);
            answer.items().forEach(item -> merged.add(Map.entry(answer.shard(), item)));
        }
        merged.sort(Comparator.comparing((Map.Entry<Integer, Map<String, AttributeValue>> e) -> e.getValue().get(ACTIVITY).s())
                .reversed().thenComparing(Map.Entry::getKey));
        List<Map<String, AttributeValue>> page = new ArrayList<>();
        Map<Integer, Integer> taken = new HashMap<>();
        for (Map.Entry<Integer, Map<String, AttributeValue>> e : merged) {
            if (page.size() >= limit) {
                break;
            }
            page.add(e.getValue());
            taken.merge(e.getKey(), 1, Integer::sum);
        }
        String[] next = positions.clone();
        boolean more = false;
        for (Map.Entry<Integer, ShardAnswer> a : answers.entrySet()) {
            int shard = a.getKey();
            ShardAnswer answer = a.getValue();
            int used = taken.getOrDefault(shard, 0);
            if (used == answer.items().size() && answer.exhausted()) {
                next[shard] = DONE;
            } else {
                more = true;
                if (used > 0) {
                    Map<String, AttributeValue> last = answer.items().get(used - 1);
                    String partition = agentId == null ? TENANT_KEY : AGENT_KEY;
                    next[shard] = PageCursor.encode(Map.of(partition, last.get(partition), ACTIVITY, last.get(ACTIVITY),
                            PK, last.get(PK)), query);
                }
            }
        }
        return new Page(page, more ? encode(next, query) : null);
    }

    private record ShardAnswer(int shard, List<Map<String, AttributeValue>> items, boolean exhausted) {
    }

    private ShardAnswer read(PageCursor.Shape shape, int shard, Instant activeSince, int limit,
                             Map<String, AttributeValue> start) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":p", AttributeValue.fromS(shape.partitionValue()));
        String condition = shape.partitionAttribute() + " = :p";
        if (activeSince != null) {
            values.put(":since", AttributeValue.fromS(EventRecordJson.RECORDED_AT.format(activeSince)));
            condition += " AND " + ACTIVITY + " >= :since";
        }
        String keyCondition = condition;
        QueryResponse r = dynamo.query(b -> b.tableName(table).indexName(shape.partitionAttribute().equals(TENANT_KEY) ? BY_ACTIVITY : BY_AGENT)
                .keyConditionExpression(keyCondition).expressionAttributeValues(values).scanIndexForward(false).limit(limit)
                .exclusiveStartKey(start).returnConsumedCapacity(ReturnConsumedCapacity.TOTAL));
        boolean exhausted = !r.hasLastEvaluatedKey() || r.lastEvaluatedKey().isEmpty();
        return new ShardAnswer(shard, r.items(), exhausted);
    }

    private static PageCursor.Shape shape(String tenant, String agentId, int shard, String query) {
        return agentId == null
                ? new PageCursor.Shape(PageCursor.keys(TENANT_KEY, "S", ACTIVITY, "S", PK, "S"), TENANT_KEY,
                        SessionItems.tenantKey(tenant, shard), query)
                : new PageCursor.Shape(PageCursor.keys(AGENT_KEY, "S", ACTIVITY, "S", PK, "S"), AGENT_KEY,
                        SessionItems.agentKey(tenant, agentId, shard), query);
    }

    private static String encode(String[] positions, String query) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("q", query);
        ArrayNode shards = node.putArray("s");
        for (String p : positions) {
            if (p == null) {
                shards.addNull();
            } else {
                shards.add(p);
            }
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(node));
    }

    private static String[] decode(String cursor, String query) {
        String[] positions = new String[LIST_SHARDS];
        if (cursor == null || cursor.isEmpty()) {
            return positions;
        }
        JsonNode node;
        try {
            node = Json.parse(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new InvalidRequestException("cursor is not valid: pass next_cursor of the previous page unchanged");
        }
        JsonNode shards = node.path("s");
        if (!shards.isArray() || shards.size() != LIST_SHARDS) {
            throw new InvalidRequestException("cursor is not valid: pass next_cursor of the previous page unchanged");
        }
        if (!query.equals(node.path("q").asText(null))) {
            throw new InvalidRequestException("cursor is not valid: it belongs to a listing with other parameters; "
                    + "repeat agent_id and active_since unchanged with the cursor");
        }
        for (int i = 0; i < LIST_SHARDS; i++) {
            JsonNode p = shards.get(i);
            if (!p.isNull() && !p.isTextual()) {
                throw new InvalidRequestException("cursor is not valid: pass next_cursor of the previous page unchanged");
            }
            positions[i] = p.isNull() ? null : p.textValue();
        }
        return positions;
    }
}
