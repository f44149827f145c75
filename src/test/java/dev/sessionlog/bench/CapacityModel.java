package dev.sessionlog.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The capacity AWS DynamoDB would charge for a call, computed from the items and DynamoDB's
 * documented rules, because DynamoDB Local's ConsumedCapacity is not AWS's for transactions (it
 * reports the same units for a transaction of one put and of two, for example).
 *
 * <p>Rules applied (on-demand and provisioned tables are charged the same units):
 * <ul>
 *   <li>Item size: per attribute, the UTF-8 length of its name plus its value (strings: UTF-8 bytes;
 *       binary: bytes; numbers: 1 byte per two significant digits + 1).</li>
 *   <li>Standard write: 1 WCU per 1 KB of item, rounded up per item. Transactional write: twice that.</li>
 *   <li>ConditionCheck in TransactWriteItems: 2 WCU (billed as a transactional write of a sub-1 KB
 *       item, as characterised against AWS; no read units).</li>
 *   <li>Secondary index: an item that enters an index costs 1 WCU per 1 KB of its index entry (the
 *       table's and the index's key attributes plus the projected ones), charged once even inside a
 *       transaction (an assumption: AWS does not document the transactional factor for index
 *       updates; the report keeps index units in their own column).</li>
 *   <li>Strongly consistent Query/GetItem: 1 RCU per 4 KB of everything read (the full items of a
 *       table query whatever the projection; index entries for an index query), rounded up once per
 *       call, at least 1 RCU even when nothing is found. Eventually consistent: half.</li>
 * </ul>
 * The full size of a table item that a head query reads comes from the writes this model observed.
 */
final class CapacityModel {

    /** Units of one call: read, table write, index write. */
    record Cost(double rcu, double tableWcu, double indexWcu) {
        static final Cost ZERO = new Cost(0, 0, 0);

        Cost plus(Cost o) {
            return new Cost(rcu + o.rcu, tableWcu + o.tableWcu, indexWcu + o.indexWcu);
        }

        double wcu() {
            return tableWcu + indexWcu;
        }
    }

    private record Index(String name, List<String> keyAttributes, Projection projection) {
    }

    private final String table;
    private final List<String> tableKey;
    private final Map<String, Index> indexes = new HashMap<>();
    /** pk -> seq -> full item size, of every item written through the observed client. */
    private final Map<String, Map<String, Integer>> sizes = new ConcurrentHashMap<>();

    CapacityModel(CreateTableRequest definition) {
        this.table = definition.tableName();
        this.tableKey = keyNames(definition.keySchema());
        definition.localSecondaryIndexes().forEach(i ->
                indexes.put(i.indexName(), new Index(i.indexName(), keyNames(i.keySchema()), i.projection())));
        definition.globalSecondaryIndexes().forEach(i ->
                indexes.put(i.indexName(), new Index(i.indexName(), keyNames(i.keySchema()), i.projection())));
    }

    private static List<String> keyNames(List<KeySchemaElement> schema) {
        return schema.stream().map(KeySchemaElement::attributeName).toList();
    }

    String table() {
        return table;
    }

    // ---- sizes --------------------------------------------------------------------------------

    static int itemSize(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += utf8(e.getKey()) + valueSize(e.getValue());
        }
        return size;
    }

    static int valueSize(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            return numberSize(v.n());
        }
        if (v.b() != null) {
            return v.b().asByteArrayUnsafe().length;
        }
        if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
            return 1;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToInt(CapacityModel::utf8).sum();
        }
        if (v.hasNs()) {
            return v.ns().stream().mapToInt(CapacityModel::numberSize).sum();
        }
        if (v.hasBs()) {
            return v.bs().stream().mapToInt(b -> b.asByteArrayUnsafe().length).sum();
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToInt(x -> 1 + valueSize(x)).sum();
        }
        if (v.hasM()) {
            return 3 + v.m().entrySet().stream().mapToInt(x -> 1 + utf8(x.getKey()) + valueSize(x.getValue())).sum();
        }
        return 0;
    }

    /** About 1 byte per two significant digits, plus 1. */
    static int numberSize(String n) {
        String digits = n.replace("-", "").replace("+", "");
        int e = digits.indexOf('e') >= 0 ? digits.indexOf('e') : digits.indexOf('E');
        if (e >= 0) {
            digits = digits.substring(0, e);
        }
        digits = digits.replace(".", "");
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        int end = digits.length();
        while (end > start + 1 && digits.charAt(end - 1) == '0') {
            end--;
        }
        int significant = Math.max(1, end - start);
        return (significant + 1) / 2 + 1;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static double writeUnits(int bytes) {
        return Math.max(1, Math.ceil(bytes / 1024.0));
    }

    static double readUnits(long bytes, boolean consistent) {
        double units = Math.max(1, Math.ceil(bytes / 4096.0));
        return consistent ? units : units / 2;
    }

    /** The entry an item has in an index, or null when it is not in it (sparse index). */
    private Map<String, AttributeValue> indexEntry(Index index, Map<String, AttributeValue> item) {
        for (String k : index.keyAttributes()) {
            if (!item.containsKey(k)) {
                return null;
            }
        }
        Set<String> names = new LinkedHashSet<>(tableKey);
        names.addAll(index.keyAttributes());
        String type = index.projection().projectionTypeAsString();
        if ("ALL".equals(type)) {
            return item;
        }
        if ("INCLUDE".equals(type) && index.projection().hasNonKeyAttributes()) {
            names.addAll(index.projection().nonKeyAttributes());
        }
        Map<String, AttributeValue> entry = new HashMap<>();
        for (String n : names) {
            AttributeValue v = item.get(n);
            if (v != null) {
                entry.put(n, v);
            }
        }
        return entry;
    }

    /** A new item's writes: table units (times factor) and the units of each index it enters. */
    private Cost putCost(Map<String, AttributeValue> item, double tableFactor) {
        double indexUnits = 0;
        for (Index index : indexes.values()) {
            Map<String, AttributeValue> entry = indexEntry(index, item);
            if (entry != null) {
                indexUnits += writeUnits(itemSize(entry));
            }
        }
        return new Cost(0, tableFactor * writeUnits(itemSize(item)), indexUnits);
    }

    // ---- calls --------------------------------------------------------------------------------

    /** The cost of a successful call; ZERO for calls that are not item reads or writes. */
    Cost cost(SdkRequest request, SdkResponse response) {
        if (request instanceof PutItemRequest put) {
            return putCost(put.item(), 1);
        }
        if (request instanceof TransactWriteItemsRequest tx) {
            Cost total = Cost.ZERO;
            for (TransactWriteItem action : tx.transactItems()) {
                if (action.put() != null) {
                    total = total.plus(putCost(action.put().item(), 2));
                } else if (action.conditionCheck() != null) {
                    total = total.plus(new Cost(0, 2 * writeUnits(itemSize(action.conditionCheck().key())), 0));
                } else if (action.update() != null) {
                    total = total.plus(new Cost(0, 2 * writeUnits(itemSize(action.update().key())), 0));
                } else if (action.delete() != null) {
                    total = total.plus(new Cost(0, 2 * writeUnits(itemSize(action.delete().key())), 0));
                }
            }
            return total;
        }
        if (request instanceof BatchWriteItemRequest batch) {
            Cost total = Cost.ZERO;
            for (List<WriteRequest> writes : batch.requestItems().values()) {
                for (WriteRequest w : writes) {
                    if (w.putRequest() != null) {
                        total = total.plus(putCost(w.putRequest().item(), 1));
                    }
                }
            }
            return total;
        }
        if (request instanceof QueryRequest q && response instanceof QueryResponse r) {
            boolean consistent = Boolean.TRUE.equals(q.consistentRead());
            long bytes = 0;
            if (q.indexName() == null) {
                AttributeValue pk = partitionValue(q);
                for (Map<String, AttributeValue> item : r.items()) {
                    bytes += fullSize(pk, item);
                }
            } else {
                for (Map<String, AttributeValue> item : r.items()) {
                    bytes += itemSize(item);
                }
            }
            return new Cost(readUnits(bytes, consistent), 0, 0);
        }
        if (request instanceof GetItemRequest g && response instanceof GetItemResponse r) {
            boolean consistent = Boolean.TRUE.equals(g.consistentRead());
            return new Cost(readUnits(r.hasItem() ? fullSize(g.key().get(tableKey.get(0)), r.item()) : 0, consistent), 0, 0);
        }
        return Cost.ZERO;
    }

    /** The value a Query's key condition gives the partition key ("pk = :pk"), or null. */
    private AttributeValue partitionValue(QueryRequest q) {
        if (q.keyConditionExpression() == null || !q.hasExpressionAttributeValues()) {
            return null;
        }
        Matcher m = Pattern.compile("(?:^|[\\s(])" + Pattern.quote(tableKey.get(0)) + "\\s*=\\s*(:\\w+)")
                .matcher(q.keyConditionExpression());
        return m.find() ? q.expressionAttributeValues().get(m.group(1)) : null;
    }

    /**
     * The stored size of a table item of which a call returned some attributes (a projection bills
     * the whole item): from the observed writes, else the size of what was returned.
     */
    private int fullSize(AttributeValue partition, Map<String, AttributeValue> returned) {
        AttributeValue pk = returned.getOrDefault(tableKey.get(0), partition);
        AttributeValue sk = tableKey.size() > 1 ? returned.get(tableKey.get(1)) : null;
        if (pk != null && pk.s() != null) {
            Map<String, Integer> ofPk = sizes.get(pk.s());
            Integer size = ofPk == null ? null : ofPk.get(sk == null ? "" : sk.n() != null ? sk.n() : sk.s());
            if (size != null) {
                return size;
            }
        }
        return itemSize(returned);
    }

    /** Remembers the size of every item a successful call wrote, for later reads of it. */
    void observeWrites(SdkRequest request) {
        List<Map<String, AttributeValue>> items = writtenItems(request);
        for (Map<String, AttributeValue> item : items) {
            AttributeValue pk = item.get(tableKey.get(0));
            AttributeValue sk = tableKey.size() > 1 ? item.get(tableKey.get(1)) : null;
            if (pk == null || pk.s() == null) {
                continue;
            }
            sizes.computeIfAbsent(pk.s(), k -> new ConcurrentHashMap<>())
                    .put(sk == null ? "" : sk.n() != null ? sk.n() : sk.s(), itemSize(item));
        }
    }

    static List<Map<String, AttributeValue>> writtenItems(SdkRequest request) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        if (request instanceof PutItemRequest put) {
            items.add(put.item());
        } else if (request instanceof TransactWriteItemsRequest tx) {
            for (TransactWriteItem action : tx.transactItems()) {
                if (action.put() != null) {
                    items.add(action.put().item());
                }
            }
        } else if (request instanceof BatchWriteItemRequest batch) {
            batch.requestItems().values().forEach(ws -> ws.forEach(w -> {
                if (w.putRequest() != null) {
                    items.add(w.putRequest().item());
                }
            }));
        }
        return items;
    }
}
