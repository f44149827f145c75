"""sessionlog's DynamoDB engine for this machine: moto (Apache-2.0) in server mode, made safe to use.

Started by dev.sessionlog.local.MotoServer (the local runner, the tests, the benchmarks); not meant to
be run by hand, though `python3 moto_launcher.py --port 8000` works. What it adds to `moto_server`:

1. One request at a time. moto's own server runs requests on many threads and does not isolate a
   conditional write from a concurrent one: two writers could both pass attribute_not_exists on the
   same key. A lock around the WSGI application gives DynamoDB's atomicity back.
2. Transactions in constant time. moto 5.2's TransactWriteItems deep-copies every table it touches,
   once per item, to roll back; with requests serialized, a rollback needs only the items at the
   keys the transaction names and the length of each stream before it (see transact_write_items).
3. A journal (--journal FILE): every DynamoDB write that succeeded, and every S3 write (the sealed
   checkpoints live in moto's S3, which keeps versions and Object Lock), appended as one JSON line,
   and replayed at start, so the local runner keeps its tables and checkpoints between runs.
4. DynamoDB's Time to Live, which moto does not have: items whose TTL attribute (epoch seconds) has
   passed are deleted, each with the stream record AWS makes for it (REMOVE, the old image, and
   userIdentity naming the DynamoDB service as the principal). A sweep runs every
   --ttl-sweep-seconds (0: never), and on `POST /sessionlog/ttl-sweep?now=EPOCH_SECONDS` (a test
   moves time on). The deletions are not journaled: replayed, an expired item expires again.
5. No orphan: it exits when its standard input closes, which happens however its parent JVM ends.
   SIGINT is ignored (a Ctrl-C reaches the whole process group): the parent decides when to stop.

It prints "sessionlog-moto listening on HOST:PORT" once it accepts requests.
"""
import argparse
import base64
import copy
import json
import os
import signal
import sys
import threading

TESTED_MOTO = "5.2."
# The DynamoDB operations that change state: the only requests the journal keeps.
WRITES = {"CreateTable", "DeleteTable", "UpdateTable", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
          "TransactWriteItems", "UpdateTimeToLive", "TagResource", "UntagResource", "UpdateContinuousBackups"}
JOURNALED_HEADERS = ("Host", "X-Amz-Target", "Authorization", "Content-Type", "Content-Encoding", "X-Amz-Date")
ITERATORS_KEPT = 10_000
TTL_SWEEP_PATH = "/sessionlog/ttl-sweep"


def fail(message, code):
    sys.stderr.write("sessionlog-moto: " + message + "\n")
    sys.stderr.flush()
    sys.exit(code)


try:
    import moto
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server
    from werkzeug.test import EnvironBuilder
except ImportError as missing:
    fail('moto is not installed for %s (%s): pip install "moto[server]==5.2.1"' % (sys.executable, missing), 3)


def partition_changed(table, hash_value):
    """Drops a partition's sort orders (see index_partitions): rebuilt when next asked for."""
    cached = table.__dict__.get("_sorted_partitions", {})
    for k in [k for k in cached if k[0] == hash_value]:
        del cached[k]


def patch_transactions():
    """TransactWriteItems with a rollback of the keys it names, instead of a copy of whole tables."""
    from moto.dynamodb import models
    from moto.dynamodb.models import (ConditionalCheckFailed, DynamoDBBackend, DynamoType, MockValidationException,
                                      MultipleTransactionsException, TooManyTransactionsException,
                                      TransactionCanceledException, get_filter_expression)

    def transact_write_items(self, transact_items):
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        before_items = {}    # (table, hash, range) -> the item as it was, or None
        before_streams = {}  # table -> the sequence number its stream's next record had before

        def remember(table_name, key):
            table = self.get_table(table_name)
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            if table.stream_shard is not None and table_name not in before_streams:
                shard = table.stream_shard
                before_streams[table_name] = shard.starting_sequence_number + len(shard.items)  # the next record's
            ident = (table_name, hash_value, range_value)
            if ident not in before_items:
                before_items[ident] = copy.deepcopy(table.get_item(hash_value, range_value))

        def rollback():
            for (table_name, hash_value, range_value), item in before_items.items():
                table = self.tables[table_name]
                if range_value is None:
                    if item is None:
                        table.items.pop(hash_value, None)
                    else:
                        table.items[hash_value] = item
                elif item is None:
                    table.items.get(hash_value, {}).pop(range_value, None)
                    if hash_value in table.items and not table.items[hash_value]:
                        del table.items[hash_value]
                else:
                    table.items[hash_value][range_value] = item
                partition_changed(table, hash_value)
            for table_name, next_sequence_number in before_streams.items():
                shard = self.tables[table_name].stream_shard
                del shard.items[max(0, next_sequence_number - shard.starting_sequence_number):]

        targets = set()
        errors = []
        for item in transact_items:
            original_item = None
            if len(list(item.keys())) > 1:
                raise models.TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                condition = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                if op_type == "Put":
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = op["Item"][table.range_key_attr]
                else:
                    key = op["Key"]
                target = (str(table_name), str(dict(sorted(key.items()))))
                if target in targets:
                    raise MultipleTransactionsException()
                targets.add(target)
                current = self.get_item(table_name, key)
                if condition is not None and not get_filter_expression(condition, names, values).expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    remember(table_name, key)
                if op_type == "Put":
                    self.put_item(table_name, op["Item"], condition_expression=condition,
                                  expression_attribute_names=names, expression_attribute_values=values)
                elif op_type == "Delete":
                    self.delete_item(table_name, key, condition_expression=condition,
                                     expression_attribute_names=names, expression_attribute_values=values)
                elif op_type == "Update":
                    self.update_item(table_name, key, update_expression=op["UpdateExpression"],
                                     condition_expression=condition, expression_attribute_names=names,
                                     expression_attribute_values=values)
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                rollback()
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # moto reports any other failure as the item's cancellation reason
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            rollback()
            raise TransactionCanceledException(errors)

    DynamoDBBackend.transact_write_items = transact_write_items


def index_partitions():
    """Queries that read the partition they name, not the whole table.

    moto 5.2's Table.query walks every item of the table, sorts the candidates with Python-level
    comparisons and sizes each one it passes over: a head read of a session cost 200 ms at 30,000
    items in the table. Here a query on the table's own key (or a local index, which shares its
    partition) hands moto only the items it can return: for the table key, the sorted window
    after ExclusiveStartKey that the key condition selects, cut after Limit + 1 items (the extra
    one is what makes moto answer LastEvaluatedKey, exactly as it would have); for a local index, the
    partition's items that pass the key condition; for a global index, the items that hold its
    partition key (one pass over the table, without moto's per-item work). moto then runs its own
    code on them, so results, order, paging and projections are moto's own. Each partition's sort
    orders are kept up to date by puts, deletes and updates (a rolled-back transaction drops them).
    """
    import bisect
    from decimal import Decimal
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    original_update = DynamoDBBackend.update_item
    original_query = Table.query
    original_put = Table.put_item
    original_delete = Table.delete_item
    sort_keys = {"N": lambda d: Decimal(d.value), "S": lambda d: d.value}
    OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
    SORTABLE = (None, "EQ", "LT", "LE", "GT", "GE", "BETWEEN")

    def caches(table):
        """(partition, attribute) -> [items sorted by the attribute then the table's range key, their sort keys]."""
        return table.__dict__.setdefault("_sorted_partitions", {})

    def entry_key(table, attribute, item, attrs=None):
        """An item's place in a sort order: by the attribute (from attrs, if given), then the table's range key."""
        range_key = sort_keys[table.range_key_type](item.range_key)
        if attribute == table.range_key_attr:
            return range_key
        return (sort_key(table, attribute)((attrs or item.attrs)[attribute]), range_key)

    def forget(table, hash_value, item, attrs=None):
        """Takes an item out of its partition's sort orders (attrs: its attributes before an update)."""
        attrs = attrs if attrs is not None else item.attrs
        for (h, attribute), (items, keys) in caches(table).items():
            if h != hash_value or attribute not in attrs:
                continue
            k = entry_key(table, attribute, item, attrs)
            i = bisect.bisect_left(keys, k)
            while i < len(keys) and keys[i] == k and items[i] is not item:
                i += 1
            if i < len(keys) and items[i] is item:
                del items[i]
                del keys[i]

    def remember(table, hash_value, item):
        for (h, attribute), (items, keys) in caches(table).items():
            if h == hash_value and attribute in item.attrs:
                k = entry_key(table, attribute, item)
                i = bisect.bisect_left(keys, k)
                items.insert(i, item)
                keys.insert(i, k)

    def put_item(self, item_attrs, *args, **kwargs):
        hash_value = DynamoType(item_attrs[self.hash_key_attr]) if self.hash_key_attr in item_attrs else None
        range_value = (DynamoType(item_attrs[self.range_key_attr])
                       if self.range_key_attr and self.range_key_attr in item_attrs else None)
        old = self.get_item(hash_value, range_value) if hash_value is not None and (range_value or not self.range_key_attr) else None
        item = original_put(self, item_attrs, *args, **kwargs)
        if old is not None:
            forget(self, item.hash_key, old)
        remember(self, item.hash_key, item)
        return item

    def delete_item(self, hash_key, range_key):
        item = original_delete(self, hash_key, range_key)
        if item is not None:
            forget(self, hash_key, item)
        return item

    def sorted_partition(table, hash_value, attribute, key_of):
        """The partition's items that hold the attribute, sorted by it (then the range key), and their sort keys."""
        hit = caches(table).get((hash_value, attribute))
        if hit is None:
            part = table.items.get(hash_value) or {}
            items = sorted((i for i in part.values() if attribute in i.attrs), key=lambda i: entry_key(table, attribute, i))
            hit = (items, [entry_key(table, attribute, i) for i in items])
            caches(table)[(hash_value, attribute)] = hit
        items, keys = hit
        if attribute == table.range_key_attr:
            return items, keys
        return items, [k[0] for k in keys]

    def key_window(keys, op, bounds):
        """The slice of sorted keys that a key condition selects."""
        lo, hi = 0, len(keys)
        if op == "EQ":
            lo, hi = bisect.bisect_left(keys, bounds[0]), bisect.bisect_right(keys, bounds[0])
        elif op == "GT":
            lo = bisect.bisect_right(keys, bounds[0])
        elif op == "GE":
            lo = bisect.bisect_left(keys, bounds[0])
        elif op == "LT":
            hi = bisect.bisect_left(keys, bounds[0])
        elif op == "LE":
            hi = bisect.bisect_right(keys, bounds[0])
        elif op == "BETWEEN":
            lo, hi = bisect.bisect_left(keys, bounds[0]), bisect.bisect_right(keys, bounds[1])
        return lo, hi

    def sort_key(table, attribute):
        types = {d["AttributeName"]: d["AttributeType"] for d in table.attr}
        return sort_keys.get(types.get(attribute))

    def table_key_window(table, hash_value, op, objs, limit, start, forward):
        key_of = sort_key(table, table.range_key_attr)
        if key_of is None or op not in SORTABLE:
            return None
        items, keys = sorted_partition(table, hash_value, table.range_key_attr, key_of)
        lo, hi = key_window(keys, op, [key_of(o) for o in objs or []])
        if start and table.range_key_attr in start:
            after = key_of(DynamoType(start[table.range_key_attr]))
            if forward:
                lo = max(lo, bisect.bisect_right(keys, after))
            else:
                hi = min(hi, bisect.bisect_left(keys, after))
        if limit:
            # moto answers LastEvaluatedKey when Limit is reached and any item of the partition follows,
            # matching the condition or not: keep the one item after the Limit-th.
            if forward:
                hi = min(len(items), lo + limit + 1)
            else:
                lo = max(0, hi - limit - 1)
        return items[lo:hi]

    def local_index_candidates(table, index, hash_value, op, objs):
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        if not ranges:
            return list((table.items.get(hash_value) or {}).values())
        key_of = sort_key(table, ranges[0])
        if key_of is None or sort_keys.get(table.range_key_type) is None or op not in SORTABLE:
            return None
        items, keys = sorted_partition(table, hash_value, ranges[0], key_of)
        lo, hi = key_window(keys, op, [key_of(o) for o in objs or []])
        # With the neighbours on either side, moto's Limit answers LastEvaluatedKey as it would have.
        return items[max(0, lo - 1):hi + 1]

    def global_index_candidates(table, index, hash_conditions):
        names = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        wanted = [(name, value) for name, value in hash_conditions if name in names]
        if len(wanted) != len(names):
            return None
        return [i for part in table.items.values() for i in (part.values() if table.range_key_attr else [part])
                if all(i.attrs.get(name) is not None and i.attrs[name] == value for name, value in wanted)]

    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None, **kwargs):
        candidates = None
        op = OPERATORS.get(range_comparison, range_comparison)  # moto passes the expression's form
        hash_conditions = kwargs.get("hash_key_conditions") or []
        if index_name is None:
            if self.range_key_attr is not None and hash_key is not None:
                candidates = table_key_window(self, hash_key, op, range_objs, limit, exclusive_start_key,
                                              scan_index_forward is not False)
        else:
            local = next((i for i in self.indexes if i.name == index_name), None)
            table_hash = [v for name, v in hash_conditions if name == self.hash_key_attr]
            if local is not None and table_hash:
                candidates = local_index_candidates(self, local, table_hash[0], op, range_objs)
            glob = next((i for i in self.global_indexes if i.name == index_name), None)
            if glob is not None:
                candidates = global_index_candidates(self, glob, hash_conditions)
        if candidates is None:
            return original_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                  scan_index_forward, projection_expressions, index_name, consistent_read,
                                  filter_expression, **kwargs)
        self.all_items = lambda: candidates  # requests are serialized: nothing else reads the table meanwhile
        try:
            return original_query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
                                  scan_index_forward, projection_expressions, index_name, consistent_read,
                                  filter_expression, **kwargs)
        finally:
            del self.all_items

    def update_item(self, table_name, key, *args, **kwargs):
        table = self.get_table(table_name)
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        before = table.get_item(hash_value, range_value)
        values = dict(before.attrs) if before is not None else None
        item = original_update(self, table_name, key, *args, **kwargs)
        if before is not None:  # changed in place: its index attributes may have moved
            forget(table, hash_value, before, values)
            remember(table, hash_value, item)
        return item  # a new item went through put_item

    Table.query = query
    Table.put_item = put_item
    Table.delete_item = delete_item
    DynamoDBBackend.update_item = update_item


def bound_streams(retention_seconds):
    """Stream records expire after the retention, as DynamoDB's do after 24 hours.

    moto keeps every stream record for ever, each with a copy of its item: memory grows with every
    write. Records older than the retention are dropped from the front of the shard; sequence
    numbers go on where they were, and an iterator older than what is kept reads from the oldest
    record left (as a Lambda event source mapping does after its records expired).
    """
    from datetime import timedelta
    from moto.core.utils import utcnow
    from moto.dynamodb.models.table import StreamShard

    original_add = StreamShard.add
    original_get = StreamShard.get
    retention = timedelta(seconds=retention_seconds)

    def add(self, old, new):
        original_add(self, old, new)
        cutoff = utcnow() - retention
        expired = 0
        for record in self.items:
            if record.record["dynamodb"]["ApproximateCreationDateTime"] >= cutoff:
                break
            expired += 1
        if expired:
            del self.items[:expired]
            self.starting_sequence_number += expired

    def get(self, start, quantity):
        return original_get(self, max(start, self.starting_sequence_number), quantity)

    StreamShard.add = add
    StreamShard.get = get


def bound_stream_iterators():
    """moto keeps every shard iterator it hands out; a poller asks for one per GetRecords. Keep the newest."""
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original = DynamoDBStreamsBackend.get_records

    def get_records(self, iterator_arn, limit):
        result = original(self, iterator_arn, limit)
        while len(self.shard_iterators) > ITERATORS_KEPT:
            self.shard_iterators.pop(next(iter(self.shard_iterators)))
        return result

    DynamoDBStreamsBackend.get_records = get_records


# As GetRecords answers it (the Lambda event spells the same names in lower camel case)
TTL_PRINCIPAL = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def expire_items(now_epoch_seconds):
    """Deletes what DynamoDB's TTL would have by now; returns how many items. Call with requests serialized."""
    from moto.dynamodb.models import dynamodb_backends
    deleted = 0
    for regions in list(dynamodb_backends.values()):
        for backend in list(regions.values()):
            for table in list(backend.tables.values()):
                attribute = table.ttl.get("AttributeName")
                if table.ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
                    continue
                expired = []
                for partition in list(table.items.values()):
                    for item in (partition.values() if table.range_key_attr else [partition]):
                        value = item.attrs.get(attribute)
                        # As DynamoDB: a Number of epoch seconds; anything else never expires
                        if value is not None and value.type == "N" and float(value.value) <= now_epoch_seconds:
                            expired.append(item)
                for item in expired:
                    table.delete_item(item.hash_key, item.range_key)
                    if table.stream_shard is not None and len(table.stream_shard.items) > 0 \
                            and table.stream_shard.items[-1].record["eventName"] == "REMOVE":
                        table.stream_shard.items[-1].record["userIdentity"] = dict(TTL_PRINCIPAL)
                    deleted += 1
    return deleted


def force_condition_race(parties, timeout_seconds):
    """Test only: a PutItem's condition, once evaluated, waits for a second writer's before it writes.

    Without serialization two concurrent writers both pass attribute_not_exists and both write; with
    it the first waits out the barrier alone, writes, and the second then fails its condition.
    """
    from moto.dynamodb.models import table as table_module

    barrier = threading.Barrier(parties)
    evaluate = table_module.get_filter_expression

    class Raced:
        def __init__(self, op):
            self.op = op

        def expr(self, item):
            passed = self.op.expr(item)
            try:
                barrier.wait(timeout_seconds)
            except threading.BrokenBarrierError:
                barrier.reset()
            return passed

    def get_filter_expression(expression, names=None, values=None):
        op = evaluate(expression, names, values)
        return Raced(op) if expression else op

    table_module.get_filter_expression = get_filter_expression


class Engine:
    """moto's WSGI application, one request at a time, with the journal of its writes."""

    def __init__(self, app, serialize, journal_path):
        self.app = app
        self.lock = threading.Lock() if serialize else None
        self.journal = None
        self.journal_path = journal_path

    def replay(self):
        """Applies the journal's writes in order, before any client is served. Returns how many."""
        if not self.journal_path or not os.path.exists(self.journal_path):
            return 0
        count = 0
        with open(self.journal_path, "rb") as f:
            for number, line in enumerate(f, 1):
                if not line.endswith(b"\n"):
                    break  # the last write was cut short by a crash: it was never answered, so never happened
                entry = json.loads(line)
                status, _ = self.call(EnvironBuilder(path=entry.get("p", "/"), method=entry.get("m", "POST"),
                                                     query_string=entry.get("q", ""), headers=entry["h"],
                                                     data=base64.b64decode(entry["b"])).get_environ())
                if not status.startswith("2"):
                    fail("journal %s line %d replays as %s" % (self.journal_path, number, status), 4)
                count += 1
        return count

    def open_journal(self):
        if self.journal_path:
            os.makedirs(os.path.dirname(os.path.abspath(self.journal_path)), exist_ok=True)
            self.journal = open(self.journal_path, "ab")

    def call(self, environ):
        captured = {}

        def start_response(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], (captured["headers"], body)

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == TTL_SWEEP_PATH and environ["REQUEST_METHOD"] == "POST":
            return self.ttl_sweep(environ, start_response)
        request = None
        if self.journal is not None and self.is_write(environ):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            request = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = _Bytes(request)
        if self.lock is not None:
            with self.lock:
                status, (headers, body) = self.served(environ, request)
        else:
            status, (headers, body) = self.served(environ, request)
        start_response(status, headers)
        return [body]

    def served(self, environ, request):
        status, response = self.call(environ)
        if request is not None and status.startswith("2"):
            headers = {name: environ["HTTP_" + name.upper().replace("-", "_")] for name in JOURNALED_HEADERS
                       if "HTTP_" + name.upper().replace("-", "_") in environ}
            # S3 says what a write is in its x-amz-* headers (object lock, metadata, checksums, chunking)
            headers.update({key[5:].replace("_", "-").title(): value for key, value in environ.items()
                            if key.startswith("HTTP_X_AMZ_") or key == "HTTP_CONTENT_MD5"})
            if "CONTENT_TYPE" in environ:
                headers["Content-Type"] = environ["CONTENT_TYPE"]
            entry = {"h": headers, "b": base64.b64encode(request).decode("ascii")}
            if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
                entry.update({"m": environ["REQUEST_METHOD"], "p": environ.get("PATH_INFO", "/"),
                              "q": environ.get("QUERY_STRING", "")})
            line = json.dumps(entry) + "\n"
            self.journal.write(line.encode("ascii"))
            self.journal.flush()
        return status, response

    def ttl_sweep(self, environ, start_response):
        from urllib.parse import parse_qs
        import time
        now = parse_qs(environ.get("QUERY_STRING", "")).get("now", [None])[0]
        try:
            now = float(now) if now is not None else time.time()
        except ValueError:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [b'{"message": "now must be epoch seconds"}']
        if self.lock is not None:
            with self.lock:
                deleted = expire_items(now)
        else:
            deleted = expire_items(now)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"deleted": deleted}).encode("ascii")]

    def sweep_every(self, seconds):
        import time

        def run():
            while True:
                time.sleep(seconds)
                try:
                    if self.lock is not None:
                        with self.lock:
                            expire_items(time.time())
                    else:
                        expire_items(time.time())
                except Exception as e:  # a sweep that failed is tried again at the next one
                    sys.stderr.write("sessionlog-moto: TTL sweep failed: %r\n" % (e,))
        threading.Thread(target=run, name="ttl-sweep", daemon=True).start()

    @staticmethod
    def is_write(environ):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            return target.startswith("DynamoDB_") and target.split(".", 1)[-1] in WRITES
        # S3 (REST): a write is a PUT, POST or DELETE; moto's own API (reset) is not journaled
        return environ["REQUEST_METHOD"] in ("PUT", "POST", "DELETE") and not environ.get("PATH_INFO", "").startswith("/moto-api")


class _Bytes:
    def __init__(self, data):
        import io
        self.stream = io.BytesIO(data)

    def read(self, *args):
        return self.stream.read(*args)

    def readline(self, *args):
        return self.stream.readline(*args)

    def __iter__(self):
        return iter(self.stream)


class QuietHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection per client thread, not one per request

    def log_request(self, *args, **kwargs):
        pass


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description="moto server for sessionlog: serialized, fast transactions, journal")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed when ready)")
    parser.add_argument("--journal", help="keep DynamoDB's writes in this file and replay them at start")
    parser.add_argument("--stream-retention-seconds", type=int, default=86400,
                        help="how long stream records are kept (DynamoDB: 24 hours)")
    parser.add_argument("--ttl-sweep-seconds", type=float, default=0,
                        help="delete items whose TTL has passed this often (0: only on POST %s)" % TTL_SWEEP_PATH)
    parser.add_argument("--no-serialize", action="store_true", help="test only: moto's own concurrency")
    parser.add_argument("--original-queries", action="store_true", help="test only: moto's own Query, to compare with")
    parser.add_argument("--force-condition-race", action="store_true",
                        help="test only: hold each evaluated PutItem condition until a second one arrives (1 s at most)")
    args = parser.parse_args()

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not moto.__version__.startswith(TESTED_MOTO):
        fail("moto %s is installed; this launcher is written against moto %sx: pip install \"moto[server]==5.2.1\""
             % (moto.__version__, TESTED_MOTO), 3)
    patch_transactions()
    if not args.original_queries:
        index_partitions()
    bound_streams(args.stream_retention_seconds)
    bound_stream_iterators()
    if args.force_condition_race:
        force_condition_race(2, 1.0)
    engine = Engine(DomainDispatcherApplication(create_backend_app), not args.no_serialize, args.journal)
    replayed = engine.replay()
    engine.open_journal()
    if args.ttl_sweep_seconds > 0:
        engine.sweep_every(args.ttl_sweep_seconds)
    server = make_server(args.host, args.port, engine, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=exit_when_stdin_closes, name="stdin-watch", daemon=True).start()
    print("sessionlog-moto listening on %s:%d (moto %s, %d journaled writes replayed)"
          % (args.host, server.server_port, moto.__version__, replayed), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
