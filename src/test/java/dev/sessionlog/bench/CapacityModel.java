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
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The capacity AWS DynamoDB would charge for a call, computed from the items and DynamoDB's
 * documented rules, because the local engine's ConsumedCapacity is not AWS's: moto reports a flat
 * 1 unit per PutItem, Query, UpdateItem or DeleteItem (0.5 per GetItem) whatever the item's size,
 * and none for TransactWriteItems.
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
 *   <li>A write that replaces an item (PutItem on an existing key, an UpdateItem) costs the larger of
 *       the old and the new item. An index entry costs 1 WCU per KB when it appears, changes or
 *       disappears, 2 writes (delete + put) when its index key changes, nothing when it stays the
 *       same (AWS's documented rules for secondary indexes).</li>
 *   <li>A conditional write whose condition fails costs the size of the existing item, at least
 *       1 WCU (PutItem and UpdateItem; see {@link #failedWriteCost}).</li>
 * </ul>
 * The full size of a table item that a head query reads, and the item that a write replaces, come
 * from the writes this model observed (UpdateItem: from the item read before and after it, see
 * {@link BenchCalls}). A model prices only the calls on its own table, so that one interceptor can
 * hold a model per table.
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
    /** What the model knows of an item: its size and its entry in each index it is in. */
    private record Known(int size, Map<String, Map<String, AttributeValue>> entries) {
    }

    /** pk -> sort key -> the item as last written through the observed client. */
    private final Map<String, Map<String, Known>> known = new ConcurrentHashMap<>();

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

    /** DynamoDB's documented storage overhead: 100 bytes per item and per index entry. */
    static final int STORAGE_OVERHEAD = 100;

    /**
     * The bytes DynamoDB bills for storing {@code item} in this table: its size plus 100 bytes, and each
     * secondary index entry it has (its projected attributes and keys) plus 100 bytes.
     */
    long storedBytes(Map<String, AttributeValue> item) {
        long bytes = itemSize(item) + STORAGE_OVERHEAD;
        for (Index index : indexes.values()) {
            Map<String, AttributeValue> entry = indexEntry(index, item);
            if (entry != null) {
                bytes += itemSize(entry) + STORAGE_OVERHEAD;
            }
        }
        return bytes;
    }

    /**
     * A write of {@code item} (null: a delete) over {@code old} (null: no item there before): the
     * table's units of the larger of both, times factor, and each index's units for its entry.
     */
    private Cost writeCost(Map<String, AttributeValue> item, Known old, double tableFactor) {
        int newSize = item == null ? 0 : itemSize(item);
        int oldSize = old == null ? 0 : old.size();
        double indexUnits = 0;
        for (Index index : indexes.values()) {
            Map<String, AttributeValue> before = old == null ? null : old.entries().get(index.name());
            Map<String, AttributeValue> after = item == null ? null : indexEntry(index, item);
            indexUnits += indexWrite(index, before, after);
        }
        return new Cost(0, tableFactor * writeUnits(Math.max(newSize, oldSize)), indexUnits);
    }

    /** An index's units for an entry that goes from before to after (null: not in the index). */
    private static double indexWrite(Index index, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        if (before == null && after == null) {
            return 0;
        }
        if (before == null) {
            return writeUnits(itemSize(after));
        }
        if (after == null) {
            return writeUnits(itemSize(before));
        }
        for (String k : index.keyAttributes()) {
            if (!before.get(k).equals(after.get(k))) {
                return writeUnits(itemSize(before)) + writeUnits(itemSize(after)); // delete + put
            }
        }
        return before.equals(after) ? 0 : writeUnits(itemSize(after));
    }

    private Known known(Map<String, AttributeValue> keyOrItem) {
        AttributeValue pk = keyOrItem.get(tableKey.get(0));
        if (pk == null || pk.s() == null) {
            return null;
        }
        Map<String, Known> ofPk = known.get(pk.s());
        return ofPk == null ? null : ofPk.get(sortKey(keyOrItem));
    }

    private String sortKey(Map<String, AttributeValue> keyOrItem) {
        AttributeValue sk = tableKey.size() > 1 ? keyOrItem.get(tableKey.get(1)) : null;
        return sk == null ? "" : sk.n() != null ? sk.n() : sk.s();
    }

    private Known knownOf(Map<String, AttributeValue> item) {
        Map<String, Map<String, AttributeValue>> entries = new HashMap<>();
        for (Index index : indexes.values()) {
            Map<String, AttributeValue> entry = indexEntry(index, item);
            if (entry != null) {
                entries.put(index.name(), entry == item ? Map.copyOf(item) : entry);
            }
        }
        return new Known(itemSize(item), entries);
    }

    // ---- calls --------------------------------------------------------------------------------

    /** Whether a call names this model's table (for transactions and batches: any of their items). */
    boolean concerns(SdkRequest request) {
        return table.equals(tableOf(request)) || (request instanceof TransactWriteItemsRequest tx
                && tx.transactItems().stream().anyMatch(a -> table.equals(tableOf(a))))
                || (request instanceof BatchWriteItemRequest batch && batch.requestItems().containsKey(table));
    }

    static String tableOf(SdkRequest request) {
        if (request instanceof PutItemRequest r) {
            return r.tableName();
        }
        if (request instanceof GetItemRequest r) {
            return r.tableName();
        }
        if (request instanceof QueryRequest r) {
            return r.tableName();
        }
        if (request instanceof UpdateItemRequest r) {
            return r.tableName();
        }
        if (request instanceof DeleteItemRequest r) {
            return r.tableName();
        }
        return null;
    }

    private static String tableOf(TransactWriteItem a) {
        return a.put() != null ? a.put().tableName() : a.update() != null ? a.update().tableName()
                : a.delete() != null ? a.delete().tableName() : a.conditionCheck() != null ? a.conditionCheck().tableName() : null;
    }

    /**
     * The cost of a successful call on this model's table; ZERO for calls that are not item reads or
     * writes, or that concern other tables. UpdateItem is priced by {@link #updateCost}.
     */
    Cost cost(SdkRequest request, SdkResponse response) {
        if (request instanceof PutItemRequest put) {
            return table.equals(put.tableName()) ? writeCost(put.item(), known(put.item()), 1) : Cost.ZERO;
        }
        if (request instanceof TransactWriteItemsRequest tx) {
            Cost total = Cost.ZERO;
            for (TransactWriteItem action : tx.transactItems()) {
                if (!table.equals(tableOf(action))) {
                    continue;
                }
                if (action.put() != null) {
                    total = total.plus(writeCost(action.put().item(), known(action.put().item()), 2));
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
            for (WriteRequest w : batch.requestItems().getOrDefault(table, List.of())) {
                if (w.putRequest() != null) {
                    total = total.plus(writeCost(w.putRequest().item(), known(w.putRequest().item()), 1));
                } else if (w.deleteRequest() != null) {
                    Known old = known(w.deleteRequest().key());
                    total = total.plus(writeCost(null, old, 1));
                }
            }
            return total;
        }
        if (request instanceof QueryRequest q && response instanceof QueryResponse r && table.equals(q.tableName())) {
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
        if (request instanceof DeleteItemRequest del) {
            // An unconditional delete is billed on the item it removes (1 WCU when there is none), its index entries too.
            return table.equals(del.tableName()) ? writeCost(null, known(del.key()), 1) : Cost.ZERO;
        }
        if (request instanceof GetItemRequest g && response instanceof GetItemResponse r && table.equals(g.tableName())) {
            boolean consistent = Boolean.TRUE.equals(g.consistentRead());
            return new Cost(readUnits(r.hasItem() && !r.item().isEmpty() ? fullSize(g.key().get(tableKey.get(0)), r.item()) : 0,
                    consistent), 0, 0);
        }
        return Cost.ZERO;
    }

    /** An UpdateItem on this table that turned {@code before} into {@code after} (empty: no item). */
    Cost updateCost(Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        Known old = before == null || before.isEmpty() ? null : knownOf(before);
        return writeCost(after == null || after.isEmpty() ? null : after, old, 1);
    }

    /**
     * A PutItem or UpdateItem on this table whose condition failed: DynamoDB charges the size of
     * the existing item, at least 1 WCU, and writes nothing. {@code existing}: the item as it was
     * (null: look it up in what was observed).
     */
    Cost failedWriteCost(SdkRequest request, Map<String, AttributeValue> existing) {
        if (!table.equals(tableOf(request)) || !(request instanceof PutItemRequest || request instanceof UpdateItemRequest)) {
            return Cost.ZERO;
        }
        int size;
        if (existing != null) {
            size = existing.isEmpty() ? 0 : itemSize(existing);
        } else {
            Known old = request instanceof PutItemRequest put ? known(put.item()) : known(((UpdateItemRequest) request).key());
            size = old == null ? 0 : old.size();
        }
        return new Cost(0, writeUnits(size), 0);
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
        Map<String, AttributeValue> key = new HashMap<>(returned);
        if (!key.containsKey(tableKey.get(0)) && partition != null) {
            key.put(tableKey.get(0), partition);
        }
        Known k = known(key);
        return k != null ? k.size() : itemSize(returned);
    }

    /** Remembers every item a successful call wrote to this table, for later reads and replacements of it. */
    void observeWrites(SdkRequest request) {
        if (request instanceof BatchWriteItemRequest batch) {
            for (WriteRequest w : batch.requestItems().getOrDefault(table, List.of())) {
                if (w.putRequest() != null) {
                    observe(w.putRequest().item());
                } else if (w.deleteRequest() != null) {
                    forget(w.deleteRequest().key());
                }
            }
            return;
        }
        if (request instanceof TransactWriteItemsRequest tx) {
            for (TransactWriteItem action : tx.transactItems()) {
                if (action.put() != null && table.equals(action.put().tableName())) {
                    observe(action.put().item());
                } else if (action.update() != null && table.equals(action.update().tableName())) {
                    forget(action.update().key());
                } else if (action.delete() != null && table.equals(action.delete().tableName())) {
                    forget(action.delete().key());
                }
            }
            return;
        }
        if (request instanceof PutItemRequest put && table.equals(put.tableName())) {
            observe(put.item());
        } else if (request instanceof DeleteItemRequest del && table.equals(del.tableName())) {
            forget(del.key());
        } else if (request instanceof UpdateItemRequest up && table.equals(up.tableName())) {
            forget(up.key()); // the caller observes the item read after it, when it has one
        }
    }

    /** Remembers {@code item} as the current state of its key (empty or null: no item). */
    void observe(Map<String, AttributeValue> item) {
        AttributeValue pk = item == null ? null : item.get(tableKey.get(0));
        if (pk == null || pk.s() == null) {
            return;
        }
        known.computeIfAbsent(pk.s(), k -> new ConcurrentHashMap<>()).put(sortKey(item), knownOf(item));
    }

    void forget(Map<String, AttributeValue> key) {
        AttributeValue pk = key.get(tableKey.get(0));
        if (pk != null && pk.s() != null) {
            Map<String, Known> ofPk = known.get(pk.s());
            if (ofPk != null) {
                ofPk.remove(sortKey(key));
            }
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
