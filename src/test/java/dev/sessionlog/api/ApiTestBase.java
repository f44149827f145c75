package dev.sessionlog.api;

import dev.sessionlog.log.StreamKey;
import dev.sessionlog.testing.ApiClient;
import dev.sessionlog.testing.AwsTestResource;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** What the API tests share: the client, fresh session ids, and a look straight into the table. */
abstract class ApiTestBase {

    @Inject
    AppendHandler appendHandler;
    @Inject
    QueryHandler queryHandler;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(appendHandler, queryHandler);
    }

    static String newSession() {
        return "s-" + UUID.randomUUID();
    }

    static String events(String session) {
        return "/v1/sessions/" + session + "/events";
    }

    /** The seqs of the session's events as the table's items hold them, bypassing the API. */
    static List<Long> storedSeqs(String tenant, String session) {
        DynamoDbClient dynamo = AwsTestResource.aws().embedded().dynamo();
        List<Long> seqs = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = dynamo.query(b -> b.tableName(AwsTestResource.aws().table("EventsTable"))
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(new StreamKey(tenant, session).pk())))
                    .exclusiveStartKey(from));
            r.items().forEach(i -> dev.sessionlog.log.dynamo.EventItems.expand(i) // a request's events share an item
                    .forEach(e -> seqs.add(Long.parseLong(e.get("seq").n()))));
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return seqs;
    }
}
