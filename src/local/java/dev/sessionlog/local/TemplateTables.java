package dev.sessionlog.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;

/**
 * The DynamoDB tables of template.yaml, created from the template's own resource definitions so
 * that what the tests and the local runner use is what deploys. There is no second definition.
 */
public final class TemplateTables {

    private final CloudFormationTemplate template;

    public TemplateTables(CloudFormationTemplate template) {
        this.template = template;
    }

    /** The table name that the local runner and tests use for a logical id: sessionlog-{logical id without "Table"}. */
    public static String localName(String logicalId) {
        return "sessionlog-" + logicalId.replaceFirst("Table$", "").toLowerCase();
    }

    public List<String> logicalIds() {
        return template.resourcesOfType("AWS::DynamoDB::Table");
    }

    /** Creates every table of the template that does not exist yet; returns logical id to name. */
    public Map<String, String> createAll(DynamoDbClient dynamo) {
        Map<String, String> names = new java.util.LinkedHashMap<>();
        for (String logicalId : logicalIds()) {
            String name = localName(logicalId);
            CreateTableRequest request = createRequest(logicalId, name);
            try {
                dynamo.createTable(request);
            } catch (ResourceInUseException exists) {
                // kept from an earlier run of the local runner
            }
            String ttl = timeToLiveAttribute(logicalId);
            if (ttl != null) {
                try {
                    dynamo.updateTimeToLive(b -> b.tableName(name).timeToLiveSpecification(
                            TimeToLiveSpecification.builder().attributeName(ttl).enabled(true).build()));
                } catch (RuntimeException alreadyOn) {
                    // DynamoDB answers an error when TTL is already enabled
                }
            }
            names.put(logicalId, name);
        }
        return names;
    }

    @SuppressWarnings("unchecked")
    private String timeToLiveAttribute(String logicalId) {
        Map<String, Object> ttl = (Map<String, Object>) template.properties(logicalId).get("TimeToLiveSpecification");
        return ttl != null && Boolean.TRUE.equals(ttl.get("Enabled")) ? (String) ttl.get("AttributeName") : null;
    }

    @SuppressWarnings("unchecked")
    public CreateTableRequest createRequest(String logicalId, String tableName) {
        Map<String, Object> p = template.properties(logicalId);
        CreateTableRequest.Builder b = CreateTableRequest.builder().tableName(tableName)
                .attributeDefinitions(list(p, "AttributeDefinitions").stream()
                        .map(a -> AttributeDefinition.builder().attributeName((String) a.get("AttributeName"))
                                .attributeType((String) a.get("AttributeType")).build()).toList())
                .keySchema(keySchema(list(p, "KeySchema")))
                .billingMode(BillingMode.fromValue((String) p.getOrDefault("BillingMode", "PAY_PER_REQUEST")));
        List<LocalSecondaryIndex> lsis = new ArrayList<>();
        for (Map<String, Object> i : list(p, "LocalSecondaryIndexes")) {
            lsis.add(LocalSecondaryIndex.builder().indexName((String) i.get("IndexName"))
                    .keySchema(keySchema(list(i, "KeySchema"))).projection(projection(i)).build());
        }
        if (!lsis.isEmpty()) {
            b.localSecondaryIndexes(lsis);
        }
        List<GlobalSecondaryIndex> gsis = new ArrayList<>();
        for (Map<String, Object> i : list(p, "GlobalSecondaryIndexes")) {
            gsis.add(GlobalSecondaryIndex.builder().indexName((String) i.get("IndexName"))
                    .keySchema(keySchema(list(i, "KeySchema"))).projection(projection(i)).build());
        }
        if (!gsis.isEmpty()) {
            b.globalSecondaryIndexes(gsis);
        }
        Map<String, Object> stream = (Map<String, Object>) p.get("StreamSpecification");
        if (stream != null) {
            b.streamSpecification(StreamSpecification.builder().streamEnabled(true)
                    .streamViewType((String) stream.get("StreamViewType")).build());
        }
        return b.build();
    }

    @SuppressWarnings("unchecked")
    private static Projection projection(Map<String, Object> index) {
        Map<String, Object> p = (Map<String, Object>) index.get("Projection");
        Projection.Builder b = Projection.builder().projectionType((String) p.get("ProjectionType"));
        if (p.get("NonKeyAttributes") != null) {
            b.nonKeyAttributes((List<String>) p.get("NonKeyAttributes"));
        }
        return b.build();
    }

    private static List<KeySchemaElement> keySchema(List<Map<String, Object>> elements) {
        return elements.stream().map(k -> KeySchemaElement.builder().attributeName((String) k.get("AttributeName"))
                .keyType((String) k.get("KeyType")).build()).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> map, String key) {
        return (List<Map<String, Object>>) map.getOrDefault(key, List.of());
    }
}
