package dev.sessionlog.local;

import static dev.sessionlog.local.MotoServerTest.client;
import static dev.sessionlog.local.MotoServerTest.n;
import static dev.sessionlog.local.MotoServerTest.s;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/**
 * The launcher answers a Query from the partition it names instead of walking the whole table (see
 * index_partitions in moto_launcher.py). This proves it changes nothing a client can see: the same
 * random writes go to a launcher with the change and one with moto's own Query, then random queries
 * (every key operator, both directions, limits, paging, the local and the global indexes of the
 * events table) must get identical answers, items, order and LastEvaluatedKey alike.
 */
class MotoQueryEquivalenceTest {

    private static final long SEED = 20261130L;
    private static final int QUERIES = 200;

    @Test
    void everyQueryAnswersAsMotosOwnQueryDoes() {
        Random random = new Random(SEED);
        try (MotoServer fast = MotoServer.start(MotoServer.Options.inMemory());
             MotoServer original = MotoServer.start(MotoServer.Options.inMemory().withArgs("--original-queries"))) {
            List<DynamoDbClient> both = List.of(client(fast), client(original));
            String table = null;
            for (DynamoDbClient dynamo : both) {
                table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
            }
            String events = table;
            List<String> partitions = List.of("t#a", "t#b", "t#c", "u#a");
            for (int i = 0; i < 600; i++) {
                String pk = partitions.get(random.nextInt(partitions.size()));
                long seq = random.nextInt(300);
                Map<String, AttributeValue> item = new HashMap<>(Map.of("pk", s(pk), "seq", n(seq),
                        "event_id", s("e-" + random.nextInt(400))));
                if (random.nextInt(3) == 0) {
                    item.put("parent_key", s("t#p" + random.nextInt(4)));
                    item.put("child_key", s(pk + "#" + String.format("%020d", seq)));
                }
                switch (random.nextInt(10)) {
                    case 0 -> both.forEach(d -> d.deleteItem(b -> b.tableName(events).key(Map.of("pk", s(pk), "seq", n(seq)))));
                    case 1 -> both.forEach(d -> d.updateItem(b -> b.tableName(events).key(Map.of("pk", s(pk), "seq", n(seq)))
                            .updateExpression("SET event_id = :e").expressionAttributeValues(Map.of(":e", s("u-" + seq)))));
                    default -> both.forEach(d -> d.putItem(b -> b.tableName(events).item(item)));
                }
            }
            int compared = 0;
            int nonEmpty = 0;
            for (int q = 0; q < QUERIES; q++) {
                Consumer<QueryRequest.Builder> query = randomQuery(random, events, partitions);
                Map<String, AttributeValue> start = null;
                do { // follow the pages: ExclusiveStartKey taken from the answers, which must agree
                    Map<String, AttributeValue> from = start;
                    QueryResponse a = both.get(0).query(b -> query.andThen(x -> x.exclusiveStartKey(from)).accept(b));
                    QueryResponse b = both.get(1).query(x -> query.andThen(y -> y.exclusiveStartKey(from)).accept(x));
                    assertEquals(b.items(), a.items(), "query " + q);
                    assertEquals(b.lastEvaluatedKey(), a.lastEvaluatedKey(), "query " + q);
                    assertEquals(b.count(), a.count(), "query " + q);
                    compared++;
                    nonEmpty += a.items().isEmpty() ? 0 : 1;
                    start = a.hasLastEvaluatedKey() && !a.lastEvaluatedKey().isEmpty() ? a.lastEvaluatedKey() : null;
                } while (start != null);
            }
            assertTrue(nonEmpty > QUERIES / 2, "the random queries mostly find something: " + nonEmpty + " of " + compared);
        }
    }

    private static Consumer<QueryRequest.Builder> randomQuery(Random random, String table, List<String> partitions) {
        String pk = partitions.get(random.nextInt(partitions.size()));
        Integer limit = random.nextInt(4) == 0 ? null : 3 + random.nextInt(60);
        boolean forward = random.nextBoolean();
        int kind = random.nextInt(10);
        Map<String, AttributeValue> values = new HashMap<>();
        String condition;
        String index = null;
        if (kind < 6) { // the table's key: pk and a seq condition
            values.put(":p", s(pk));
            long a = random.nextInt(300);
            long b = a + random.nextInt(120);
            String[] ops = {"", " AND seq = :a", " AND seq < :a", " AND seq <= :a", " AND seq > :a", " AND seq >= :a",
                    " AND seq BETWEEN :a AND :b"};
            String op = ops[random.nextInt(ops.length)];
            condition = "pk = :p" + op;
            if (op.contains(":a")) {
                values.put(":a", n(a));
            }
            if (op.contains(":b")) {
                values.put(":b", n(b));
            }
        } else if (kind < 8) { // the local index on event_id
            index = "by_event_id";
            values.put(":p", s(pk));
            String[] ops = {"", " AND event_id = :a", " AND event_id BETWEEN :a AND :b", " AND begins_with(event_id, :a)",
                    " AND event_id > :a"};
            String op = ops[random.nextInt(ops.length)];
            condition = "pk = :p" + op;
            int a = random.nextInt(400);
            if (op.contains(":a")) {
                values.put(":a", s(op.contains("begins_with") ? "e-" + random.nextInt(40) : "e-" + a));
            }
            if (op.contains(":b")) {
                values.put(":b", s("e-" + (a + random.nextInt(100))));
            }
        } else { // the global index of children
            index = "children";
            values.put(":p", s("t#p" + random.nextInt(4)));
            condition = "parent_key = :p" + (random.nextBoolean() ? "" : " AND child_key > :c");
            if (condition.contains(":c")) {
                values.put(":c", s(pk + "#" + String.format("%020d", random.nextInt(300))));
            }
        }
        String keyCondition = condition;
        String indexName = index;
        return b -> b.tableName(table).indexName(indexName).keyConditionExpression(keyCondition)
                .expressionAttributeValues(new HashMap<>(values)).scanIndexForward(forward).limit(limit);
    }
}
