#!/usr/bin/env python3
"""Verifies a sessionlog session's hash chain outside the service, with Python's standard library only.

The chain value of seq n is the lowercase hex SHA-256 of the chain value of seq n-1 (64 zeros before
seq 1) followed by the RFC 8785 (JCS) form of record n without its "chain" field, that is of
{"seq", "event_id", "parent_event_id", "parent_session_id", "recorded_at", "event"} with nulls present.

Input: the session's archive objects, downloaded with the AWS CLI, and its hot tail read from the API
(or saved read-endpoint pages); optionally a receipt (the "chain" an append answered) to check.

  aws s3 cp --recursive "s3://$BUCKET/tenant=$TENANT/session=$SESSION/" ./archive/
  infra/verify-chain.py --archive ./archive --api "$API" --session "$SESSION" --token "$TOKEN" \\
      --receipt 42:<chain value the append of seq 42 answered>

Prints one JSON object ({"ok": true, "through_seq", "chain", ...} or "ok": false with "first_bad_seq"
and "problem") and exits 0 when the chain verifies, 1 when it does not, 2 on bad usage.
"""
import argparse
import gzip
import hashlib
import json
import math
import os
import re
import sys
import urllib.parse
import urllib.request

GENESIS = "0" * 64
OBJECT_NAME = re.compile(r"(\d{20})-(\d{20})\.jsonl\.gz$")


def es6_number(x):
    """A number as ECMAScript's Number.prototype.toString writes it (what RFC 8785 requires)."""
    if isinstance(x, bool):
        raise ValueError("not a number")
    if isinstance(x, int) and abs(x) < 10 ** 21:
        return str(x)  # exact here: the service stores only numbers a double holds exactly
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("JSON has no NaN or Infinity")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es6_number(-x)
    mantissa, _, exponent = repr(x).partition("e")  # repr: the shortest digits that read back as x
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    head = digits if k == 1 else digits[0] + "." + digits[1:]
    return head + "e" + sign + str(abs(n - 1))


def jcs(value):
    """RFC 8785: keys sorted by UTF-16 code units, no whitespace, ES6 numbers, minimal string escapes."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float)):
        return es6_number(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(value[k]) for k in keys) + "}"
    raise ValueError("not JSON: %r" % (value,))


def chain_of(previous, record):
    fields = {name: record.get(name) for name in
              ("seq", "event_id", "parent_event_id", "parent_session_id", "recorded_at", "event")}
    data = (previous or GENESIS).encode("ascii") + jcs(fields).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def parse_json(text):
    # ints stay ints; floats are read as Python floats (doubles), as the service reads them
    return json.loads(text)


def archive_records(directory):
    """Records of every archive object under the directory, with the objects' own seq ranges."""
    objects = []
    for root, _, files in os.walk(directory):
        for name in files:
            m = OBJECT_NAME.search(name)
            if m:
                objects.append((int(m.group(1)), int(m.group(2)), os.path.join(root, name)))
    objects.sort()
    records = []
    for first, last, path in objects:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                lines = [parse_json(line) for line in f if line.strip()]
        except (OSError, EOFError, ValueError) as e:
            records.append({"unreadable": "%s: %s" % (os.path.basename(path), e), "seq": first})
            continue
        seqs = [r.get("seq") for r in lines]
        if seqs != list(range(first, last + 1)):
            # the name says what the object holds: a line removed, added or moved is a change
            records.append({"unreadable": "%s holds seqs %s, not %d to %d" % (
                os.path.basename(path), _ranges(seqs), first, last), "seq": first})
        records.extend(lines)
    return records


def _ranges(seqs):
    return "[" + ", ".join(str(s) for s in seqs[:5]) + (", ..." if len(seqs) > 5 else "") + "]"


def page_records(paths):
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            documents = [parse_json(text)]
        except ValueError:
            documents = [parse_json(line) for line in text.splitlines() if line.strip()]
        for doc in documents:
            records.extend(doc["events"] if isinstance(doc, dict) and "events" in doc else [doc])
    return records


def api_records(base, session, after, tenant, token):
    records = []
    while True:
        query = urllib.parse.urlencode({"after_seq": after, "limit": 1000})
        url = "%s/v1/sessions/%s/events?%s" % (base.rstrip("/"), urllib.parse.quote(session, safe=""), query)
        request = urllib.request.Request(url)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        if tenant:
            request.add_header("X-Tenant-Id", tenant)
        with urllib.request.urlopen(request) as response:
            page = parse_json(response.read().decode("utf-8"))
        records.extend(page["events"])
        if page.get("next_after_seq") is None:
            return records
        after = page["next_after_seq"]


def verify(records, receipt):
    by_seq = {}
    for r in records:
        if "unreadable" in r:
            return bad(r["seq"], r["unreadable"])
        seq = r.get("seq")
        if seq in by_seq and by_seq[seq] != r:
            return bad(seq, "seq %d reads differently in the archive and in the table" % seq)
        by_seq[seq] = r
    if not by_seq:
        return bad(1, "no records")
    previous, unchained_through = None, 0
    last = max(by_seq)
    for seq in range(1, last + 1):
        r = by_seq.get(seq)
        if r is None:
            return bad(seq, "seq %d is missing" % seq)
        stored = r.get("chain")
        if stored is None:
            if previous is not None:
                return bad(seq, "the record at seq %d has no chain value, after records that have one" % seq)
            unchained_through = seq
            continue
        computed = chain_of(previous, r)
        if computed != stored:
            return bad(seq, "the record at seq %d does not hash to its chain value: it, or the chain before it, was changed" % seq)
        if receipt and receipt[0] == seq and receipt[1] != computed:
            return bad(seq, "the chain at seq %d is not the receipt's: a record up to there was changed" % seq)
        previous = computed
    if receipt and receipt[0] > last:
        return bad(last + 1, "the session ends at seq %d, but the receipt holds seq %d: records were removed from its end"
                   % (last, receipt[0]))
    result = {"ok": unchained_through == 0, "through_seq": last, "chain": previous}
    if unchained_through:
        result["unchained_through_seq"] = unchained_through
        result["problem"] = "seqs 1 to %d were written before the chain existed" % unchained_through
    if receipt:
        result["receipt_ok"] = True
    return result


def bad(seq, problem):
    return {"ok": False, "first_bad_seq": seq, "problem": problem}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", help="a directory with the session's archive objects (*.jsonl.gz)")
    parser.add_argument("--pages", nargs="*", default=[], help="files of read-endpoint pages or JSON Lines of records")
    parser.add_argument("--api", help="the API's base URL, to read the records after the archive")
    parser.add_argument("--session", help="the session id (with --api)")
    parser.add_argument("--tenant", help="X-Tenant-Id (the local runner)")
    parser.add_argument("--token", help="a bearer token (AWS)")
    parser.add_argument("--receipt", help="SEQ:CHAIN, the chain value an append answered")
    args = parser.parse_args()
    receipt = None
    if args.receipt:
        seq, _, value = args.receipt.partition(":")
        if not seq.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", value):
            parser.error("--receipt takes SEQ:CHAIN (64 lowercase hex characters)")
        receipt = (int(seq), value)
    records = archive_records(args.archive) if args.archive else []
    records += page_records(args.pages)
    if args.api:
        if not args.session:
            parser.error("--api needs --session")
        archived = max((r.get("seq", 0) for r in records), default=0)
        records += api_records(args.api, args.session, archived, args.tenant, args.token)
    result = verify(records, receipt)
    print(json.dumps(result, sort_keys=True))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
