package dev.sessionlog.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The project's moto launcher: the guarantees the product relies on, proven on the engine itself.
 * Atomicity is shown with the race forced (each evaluated PutItem condition waits for a second
 * writer's), so the outcome does not depend on timing luck: two winners on moto's own server, one
 * through the launcher's serialization.
 */
class MotoServerTest {

    private static final Region REGION = Region.US_EAST_1;

    @Test
    void withTheRaceForcedMotosOwnConcurrencyLetsTwoConditionalWritersWinAndTheLauncherOnlyOne() throws Exception {
        try (MotoServer unserialized = MotoServer.start(MotoServer.Options.inMemory().withArgs("--no-serialize", "--force-condition-race"))) {
            assertEquals(2, winnersOfARaceForOneKey(unserialized), "moto's own server: both writers pass attribute_not_exists");
        }
        try (MotoServer launcher = MotoServer.start(MotoServer.Options.inMemory().withArgs("--force-condition-race"))) {
            assertEquals(1, winnersOfARaceForOneKey(launcher), "serialized: the second writer sees the first one's item");
        }
    }

    /** Two writers put the same new key with attribute_not_exists at the same moment; how many succeed. */
    private static int winnersOfARaceForOneKey(MotoServer server) throws Exception {
        DynamoDbClient dynamo = client(server);
        String table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            String writer = "writer-" + w;
            writers.add(pool.submit(() -> {
                go.await();
                try {
                    client(server).putItem(b -> b.tableName(table).conditionExpression("attribute_not_exists(pk)")
                            .item(Map.of("pk", s("t#race"), "seq", n(1), "event_id", s(writer))));
                    return true;
                } catch (ConditionalCheckFailedException lost) {
                    return false;
                }
            }));
        }
        go.countDown();
        int winners = 0;
        for (Future<Boolean> w : writers) {
            winners += w.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        return winners;
    }

    @Test
    void aCancelledTransactionLeavesItemsAndStreamRecordsExactlyAsBefore() {
        try (MotoServer server = MotoServer.start(MotoServer.Options.inMemory())) {
            DynamoDbClient dynamo = client(server);
            String table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#s"), "seq", n(1), "event_id", s("e-1"), "v", s("before"))));
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#s"), "seq", n(3), "event_id", s("e-3"))));
            Map<String, AttributeValue> itemBefore = get(dynamo, table, 1);
            int streamBefore = streamRecords(server, table);

            // Put seq 2 (new), update seq 1, then a put of seq 3 that must fail: nothing of it may stay.
            TransactionCanceledException cancelled = assertThrows(TransactionCanceledException.class, () -> dynamo.transactWriteItems(b -> b
                    .transactItems(
                            TransactWriteItem.builder().put(Put.builder().tableName(table).conditionExpression("attribute_not_exists(pk)")
                                    .item(Map.of("pk", s("t#s"), "seq", n(2), "event_id", s("e-2"))).build()).build(),
                            TransactWriteItem.builder().update(Update.builder().tableName(table).key(Map.of("pk", s("t#s"), "seq", n(1)))
                                    .updateExpression("SET v = :v").expressionAttributeValues(Map.of(":v", s("after"))).build()).build(),
                            TransactWriteItem.builder().put(Put.builder().tableName(table).conditionExpression("attribute_not_exists(pk)")
                                    .item(Map.of("pk", s("t#s"), "seq", n(3), "event_id", s("e-3b"))).build()).build())));
            assertEquals("ConditionalCheckFailed", cancelled.cancellationReasons().get(2).code());

            assertEquals(itemBefore, get(dynamo, table, 1));
            assertTrue(dynamo.getItem(b -> b.tableName(table).key(Map.of("pk", s("t#s"), "seq", n(2)))).item().isEmpty());
            assertEquals("e-3", get(dynamo, table, 3).get("event_id").s());
            assertEquals(streamBefore, streamRecords(server, table), "no stream record of the cancelled transaction");
            // The partition reads as before through every path the product uses (its sort order was rebuilt).
            assertEquals(List.of("1", "3"), dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", s("t#s")))).items().stream().map(i -> i.get("seq").n()).toList());
        }
    }

    @Test
    void theJournalBringsTheTablesBackAfterARestartAndAWriteCutShortIsNotReplayed(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal.jsonl");
        String table;
        try (MotoServer first = MotoServer.start(new MotoServer.Options(0, journal, List.of()))) {
            DynamoDbClient dynamo = client(first);
            table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
            for (int seq = 1; seq <= 30; seq++) {
                int n = seq;
                dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#kept"), "seq", n(n), "event_id", s("e-" + n))));
            }
            assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(b -> b.tableName(table)
                    .conditionExpression("attribute_not_exists(pk)").item(Map.of("pk", s("t#kept"), "seq", n(1), "event_id", s("x")))));
        }
        // A crash in the middle of writing a line leaves it without its newline.
        Files.writeString(journal, "{\"h\": {\"X-Amz-Target\": \"DynamoDB_20120810.PutI", java.nio.file.StandardOpenOption.APPEND);
        try (MotoServer second = MotoServer.start(new MotoServer.Options(0, journal, List.of()))) {
            assertTrue(second.banner().contains("replayed"), second.banner());
            DynamoDbClient dynamo = client(second);
            List<String> ids = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", s("t#kept")))).items().stream().map(i -> i.get("event_id").s()).toList();
            assertEquals(30, ids.size());
            assertEquals("e-1", ids.get(0));
        }
    }

    @Test
    void streamRecordsExpireAfterTheRetentionAndSequenceNumbersGoOn() throws Exception {
        try (MotoServer server = MotoServer.start(MotoServer.Options.inMemory().withArgs("--stream-retention-seconds", "1"))) {
            DynamoDbClient dynamo = client(server);
            String table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#old"), "seq", n(1), "event_id", s("e-1"))));
            Thread.sleep(1500);
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#new"), "seq", n(1), "event_id", s("e-1"))));
            List<String> read = new ArrayList<>();
            try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(server.endpoint()).region(REGION)
                    .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
                new StreamPoller(dynamo, streams, table, REGION.id()).pollOnce(event -> {
                    event.get("Records").forEach(r -> read.add(r.get("dynamodb").get("Keys").get("pk").get("S").asText()
                            + "@" + r.get("dynamodb").get("SequenceNumber").asText()));
                    return List.of();
                });
            }
            assertEquals(1, read.size(), read.toString());
            assertTrue(read.get(0).startsWith("t#new@"), read.toString());
            assertTrue(read.get(0).endsWith("010"), "the second record keeps its number: " + read);
        }
    }

    @Test
    void timeToLiveDeletesWhatHasExpiredWithTheStreamRecordsAwsMakes() throws Exception {
        try (MotoServer server = MotoServer.start(MotoServer.Options.inMemory())) {
            DynamoDbClient dynamo = client(server);
            String table = new TemplateTables(CloudFormationTemplate.load()).createAll(dynamo).get("EventsTable");
            assertEquals("expires_at", dynamo.describeTimeToLive(b -> b.tableName(table)).timeToLiveDescription().attributeName());
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#a"), "seq", n(1), "event_id", s("due"), "expires_at", n(1_000))));
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#a"), "seq", n(2), "event_id", s("later"), "expires_at", n(3_000))));
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#a"), "seq", n(0), "archived_through", n(0))));
            dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", s("t#a"), "seq", n(3), "event_id", s("text-ttl"), "expires_at", s("1000"))));

            assertEquals(1, server.expireItems(java.time.Instant.ofEpochSecond(2_000)));

            List<Long> left = dynamo.query(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", s("t#a")))).items().stream().map(i -> Long.parseLong(i.get("seq").n())).toList();
            assertEquals(List.of(0L, 2L, 3L), left, "only the item whose epoch seconds had passed is gone; a string never expires");
            List<com.fasterxml.jackson.databind.JsonNode> removed = new ArrayList<>();
            try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(server.endpoint()).region(REGION)
                    .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
                new StreamPoller(dynamo, streams, table, REGION.id()).pollOnce(event -> {
                    event.get("Records").forEach(r -> {
                        if ("REMOVE".equals(r.get("eventName").asText())) {
                            removed.add(r);
                        }
                    });
                    return List.of();
                });
            }
            assertEquals(1, removed.size(), removed.toString());
            assertEquals("Service", removed.get(0).get("userIdentity").get("type").asText());
            assertEquals("dynamodb.amazonaws.com", removed.get(0).get("userIdentity").get("principalId").asText());
            assertEquals("due", removed.get(0).get("dynamodb").get("OldImage").get("event_id").get("S").asText());
            assertEquals(0, server.expireItems(java.time.Instant.ofEpochSecond(2_000)), "a second sweep finds nothing");
        }
    }

    @Test
    void theLauncherEndsWhenItsParentJvmIsKilled() throws Exception {
        Process parent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MotoParentMain.class.getName())
                .redirectErrorStream(true).start();
        long motoPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            String pid = null;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("moto-pid ")) {
                    pid = line.substring("moto-pid ".length()).trim();
                    break;
                }
            }
            assertTrue(pid != null, "the parent JVM started moto");
            motoPid = Long.parseLong(pid);
            Optional<ProcessHandle> moto = ProcessHandle.of(motoPid);
            assertTrue(moto.isPresent() && moto.get().isAlive());
            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            parent.waitFor(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (moto.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(moto.get().isAlive(), "moto " + motoPid + " outlived the JVM that started it");
        }
    }

    /** A JVM that starts moto, says its pid, and waits to be killed. */
    public static final class MotoParentMain {
        public static void main(String[] args) throws Exception {
            MotoServer server = MotoServer.start(MotoServer.Options.inMemory());
            System.out.println("moto-pid " + server.pid());
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }

    private static int streamRecords(MotoServer server, String table) {
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(server.endpoint()).region(REGION)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build()) {
            StreamPoller poller = new StreamPoller(client(server), streams, table, REGION.id());
            int total = 0;
            int got;
            while ((got = poller.pollOnce(event -> List.of())) > 0) {
                total += got;
            }
            return total;
        }
    }

    private static Map<String, AttributeValue> get(DynamoDbClient dynamo, String table, long seq) {
        return dynamo.getItem(b -> b.tableName(table).consistentRead(true).key(Map.of("pk", s("t#s"), "seq", n(seq)))).item();
    }

    static DynamoDbClient client(MotoServer server) {
        return DynamoDbClient.builder().endpointOverride(server.endpoint()).region(REGION).credentialsProvider(credentials())
                .httpClient(UrlConnectionHttpClient.create()).build();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
