#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Replays the recorder's dead-letter queue: the stream batches that the recorder failed past its
# retries (MaximumRetryAttempts 10) or that grew too old (MaximumRecordAgeInSeconds 86400).
#
# What the queue holds. For a DynamoDB stream event source mapping, Lambda's on-failure
# destination receives an "invocation record" that describes the batch, not the batch itself
# (AWS Lambda Developer Guide, "Retain discarded records for a DynamoDB event source in Lambda";
# the example there, abridged):
#   {"requestContext": {"requestId": "...", "functionArn": "arn:aws:lambda:...:function:f",
#                       "condition": "RetryAttemptsExhausted", "approximateInvokeCount": 1},
#    "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
#    "version": "1.0", "timestamp": "2019-11-14T00:13:49.717Z",
#    "DDBStreamBatchInfo": {"shardId": "shardId-00000001573689847184-864758bb",
#                           "startSequenceNumber": "800000000003126276362",
#                           "endSequenceNumber": "800000000003126276362",
#                           "approximateArrivalOfFirstRecord": "2019-11-14T00:13:19Z",
#                           "approximateArrivalOfLastRecord": "2019-11-14T00:13:19Z",
#                           "batchSize": 1,
#                           "streamArn": "arn:aws:dynamodb:...:table/t/stream/2019-11-14T00:04:06.388"}}
# Other conditions than RetryAttemptsExhausted (RecordAgeExceeded, ...) have the same shape; this
# script reads only DDBStreamBatchInfo. Unverified here (no AWS account): whether the range of a
# batch that bisection split or that reported item failures is the sub-batch, as the docs imply;
# replaying a wider range would be harmless (see below).
#
# So the records are read again from the stream: get-shard-iterator AT_SEQUENCE_NUMBER the start,
# get-records up to the end. The range holds every write of the shard, also those the template's
# filter keeps from the recorder (MODIFY, REMOVE, the archive's seq-0 items): the same filter is
# applied here (INSERT with an event_id). The records go to the recorder's alias "live" as the
# Lambda event {"Records": [...]}, in invocations of at most --max-payload-bytes (Lambda takes 6 MB
# per synchronous request), and the response's batchItemFailures must be empty.
#
# Stream records are kept for 24 hours only. Later (and the queue keeps messages 14 days) the
# records are gone: the script can then find the sessions written in the batch's time window with a
# scan of the events table (--scan-events: it reads the whole table, billed) and rebuild each
# session from its log ({"rebuild": {...}}, the README's documented rebuild). When a replay reports
# failures, the sessions of the failed records are rebuilt likewise (unless --no-rebuild-fallback).
#
# Replaying is safe to repeat: the recorder skips what a session has folded already and fills
# gaps from the log, and a rebuild folds the whole log anew. A message is deleted only when its
# records were replayed (or its sessions rebuilt) without failure.
set -euo pipefail

PROG="infra/replay-dlq.sh"
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage() {
  cat <<EOF
Usage: infra/replay-dlq.sh [options]

Reads the recorder's dead-letter queue; for each message (a DynamoDB stream batch that the
recorder failed), reads the batch's records again from the stream and invokes the recorder (alias
"live") with them; deletes the message only when that succeeded. Fix the cause of the failures
first (infra/README.md, Alarms).

Options:
$COMMON_OPTIONS_HELP
  --queue-url URL         the queue (default: the stack's output RecorderDeadLetterQueueUrl)
  --function NAME         the recorder (default: the stack's output RecorderFunctionName)
  --qualifier ALIAS       the version or alias to invoke (default: live)
  --dry-run               read the messages and the records, invoke and delete nothing; the
                          messages are hidden for --visibility-timeout (default 30 in a dry run)
  --max-messages N        handle at most N messages (default: all)
  --rebuild               rebuild the sessions of each batch's records instead of replaying them
  --no-rebuild-fallback   when a replay reports failed records, keep the message instead of
                          rebuilding their sessions
  --scan-events           when a batch's records have left the stream (24 h): find the sessions
                          with events recorded in the batch's time window by a scan of the events
                          table (reads the whole table: read units for its full size), then rebuild
                          them
  --scan-margin SECONDS   widen that window by this much on each side (default 300)
  --visibility-timeout S  how long a message being handled stays hidden (default 900)
  --max-payload-bytes N   bytes per invocation at most (default 5000000; Lambda's limit is 6 MB)
  --save DIR              keep each message's body, records and invocations in DIR/<message id>/

Exit status: 0 when every message read was handled (in a dry run: could be), 1 when some were
kept in the queue, 2 for a usage error.
EOF
}

QUEUE_URL=""
FUNCTION=""
QUALIFIER="live"
DRY_RUN=false
MAX_MESSAGES=0
REBUILD=false
FALLBACK=true
SCAN=false
SCAN_MARGIN=300
VISIBILITY=""
MAX_PAYLOAD=5000000
MAX_RECORDS=500
SAVE_DIR=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --env | --stack | --region | --profile | --queue-url | --function | --qualifier | --max-messages | \
      --scan-margin | --visibility-timeout | --max-payload-bytes | --save)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --queue-url) QUEUE_URL="$2" ;;
        --function) FUNCTION="$2" ;;
        --qualifier) QUALIFIER="$2" ;;
        --max-messages) MAX_MESSAGES="$2" ;;
        --scan-margin) SCAN_MARGIN="$2" ;;
        --visibility-timeout) VISIBILITY="$2" ;;
        --max-payload-bytes) MAX_PAYLOAD="$2" ;;
        --save) SAVE_DIR="$2" ;;
        *) common_option "$1" "$2" ;;
      esac
      shift 2
      ;;
    --dry-run) DRY_RUN=true; shift ;;
    --rebuild) REBUILD=true; shift ;;
    --no-rebuild-fallback) FALLBACK=false; shift ;;
    --scan-events) SCAN=true; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
for n in "$MAX_MESSAGES" "$SCAN_MARGIN" "$MAX_PAYLOAD" ${VISIBILITY:+"$VISIBILITY"}; do
  [[ "$n" =~ ^[0-9]+$ ]] || usage_error "not a whole number: $n"
done
if [[ -z "$VISIBILITY" ]]; then
  if [[ "$DRY_RUN" == true ]]; then VISIBILITY=30; else VISIBILITY=900; fi
fi
[[ "$VISIBILITY" -le 43200 ]] || usage_error "--visibility-timeout is at most 43200 (12 h)"
[[ "$MAX_PAYLOAD" -ge 500000 ]] || usage_error "--max-payload-bytes must be at least 500000 (an item is up to 400 KB)"

need aws jq
require_session
if [[ -z "$QUEUE_URL" || -z "$FUNCTION" || "$SCAN" == true ]]; then
  resolve_stack
  OUTPUTS="$(stack_outputs)"
  QUEUE_URL="${QUEUE_URL:-$(output_value "$OUTPUTS" RecorderDeadLetterQueueUrl)}"
  FUNCTION="${FUNCTION:-$(output_value "$OUTPUTS" RecorderFunctionName)}"
  EVENTS_TABLE="$(output_value "$OUTPUTS" EventsTableName)"
  [[ -n "$QUEUE_URL" && -n "$FUNCTION" ]] || die "stack $STACK lacks the outputs RecorderDeadLetterQueueUrl/RecorderFunctionName: pass --queue-url and --function"
  [[ "$SCAN" == false || -n "$EVENTS_TABLE" ]] || die "stack $STACK lacks the output EventsTableName, which --scan-events needs"
fi
info "queue $QUEUE_URL; recorder $FUNCTION:$QUALIFIER; region $REGION"
if [[ "$DRY_RUN" == true ]]; then info "DRY RUN: nothing is invoked or deleted"; fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
: >"$WORK/seen"

# jq: stream sequence numbers are decimal strings of any length (some emulators pad them with
# zeros); compare them as numbers.
# shellcheck disable=SC2016
JQ_DEFS="$JQ_PK_DEFS"'
def seq_norm: sub("^0+"; "") | if . == "" then "0" else . end;
def seq_le($a; $b): ($a | seq_norm) as $x | ($b | seq_norm) as $y
  | ($x | length) < ($y | length) or (($x | length) == ($y | length) and $x <= $y);
def epoch_seconds:
  if type == "number" then .
  elif type == "string" then
    [try (capture("^(?<dt>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})(\\.[0-9]+)?(?<tz>Z|[+-][0-9]{2}:?[0-9]{2})?$")
          | (.dt + "Z" | fromdateiso8601)
            - (if .tz == null or .tz == "Z" then 0
               else (if (.tz | startswith("-")) then -1 else 1 end)
                    * ((.tz[1:3] | tonumber) * 3600 + (.tz[-2:] | tonumber) * 60) end))
         catch empty] | .[0]
  else null end;
def is_event: .eventName == "INSERT" and .dynamodb.NewImage.event_id.S != null;
'

# The shard's records from START to END (inclusive) into OUT, one JSON record per line.
# Returns 0 when END was reached, 3 when the records have left the stream, 1 otherwise.
fetch_records() {
  local arn="$1" shard="$2" start="$3" end="$4" out="$5"
  local region="${arn#arn:*:dynamodb:}"
  region="${region%%:*}"
  if [[ "$region" != "$REGION" ]]; then
    warn "the stream $arn is not in region $REGION: pass --region $region if that is where the stack is"
  fi
  local streams=(aws_cli)
  local reply iterator last="" empty=0 reads=0
  : >"$out"
  if ! reply="$("${streams[@]}" dynamodbstreams get-shard-iterator --stream-arn "$arn" --shard-id "$shard" \
    --shard-iterator-type AT_SEQUENCE_NUMBER --sequence-number "$start" --output json 2>&1)"; then
    case "$reply" in
      *TrimmedDataAccessException* | *ResourceNotFoundException*)
        warn "the records are no longer in the stream: $(printf '%s' "$reply" | tail -n 1)"
        return 3 ;;
    esac
    warn "get-shard-iterator failed: $(printf '%s' "$reply" | tail -n 1)"
    return 1
  fi
  iterator="$(jq -r '.ShardIterator // empty' <<<"$reply")"
  while [[ -n "$iterator" ]]; do
    reads=$((reads + 1))
    if [[ $reads -gt 2000 ]]; then
      warn "gave up after 2000 reads of shard $shard without reaching $end"
      return 1
    fi
    if ! reply="$("${streams[@]}" dynamodbstreams get-records --shard-iterator "$iterator" --limit 1000 --output json 2>&1)"; then
      case "$reply" in
        *TrimmedDataAccessException*)
          warn "the records left the stream while being read"
          return 3 ;;
        *ExpiredIteratorException* | *LimitExceededException* | *Throttling*)
          # Iterators last 15 minutes; the shard allows a few reads per second (Lambda reads it too).
          sleep 1
          local type=AT_SEQUENCE_NUMBER from="$start"
          if [[ -n "$last" ]]; then type=AFTER_SEQUENCE_NUMBER; from="$last"; fi
          reply="$("${streams[@]}" dynamodbstreams get-shard-iterator --stream-arn "$arn" --shard-id "$shard" \
            --shard-iterator-type "$type" --sequence-number "$from" --output json)" || return 1
          iterator="$(jq -r '.ShardIterator // empty' <<<"$reply")"
          continue ;;
      esac
      warn "get-records failed: $(printf '%s' "$reply" | tail -n 1)"
      return 1
    fi
    jq -c --arg upto "$end" "$JQ_DEFS"'.Records[] | select(seq_le(.dynamodb.SequenceNumber; $upto))' <<<"$reply" >>"$out"
    if [[ "$(jq -r --arg upto "$end" "$JQ_DEFS"'any(.Records[]; seq_le($upto; .dynamodb.SequenceNumber))' <<<"$reply")" == true ]]; then
      return 0
    fi
    if [[ "$(jq '.Records | length' <<<"$reply")" -eq 0 ]]; then
      # An open shard answers empty pages past its newest record; the end is in this shard, so
      # a run of empty pages means it is not there.
      empty=$((empty + 1))
      if [[ $empty -ge 20 ]]; then
        warn "sequence number $end not found in shard $shard (20 empty reads)"
        return 1
      fi
      sleep 0.25
    else
      empty=0
      last="$(jq -r '.Records[-1].dynamodb.SequenceNumber' <<<"$reply")"
    fi
    iterator="$(jq -r '.NextShardIterator // empty' <<<"$reply")"
  done
  warn "shard $shard ended before sequence number $end"
  return 1
}

extend_visibility() {
  [[ "$DRY_RUN" == true ]] && return 0
  aws_cli sqs change-message-visibility --queue-url "$QUEUE_URL" --receipt-handle "$1" --visibility-timeout "$VISIBILITY" >/dev/null 2>&1 ||
    warn "could not extend the message's visibility timeout"
}

# rebuild_all DIR PKS_FILE: rebuilds each session (one pk a line); returns 1 if any failed.
rebuild_all() {
  local dir="$1" file="$2" pk failed=0
  while IFS= read -r pk <&4; do
    [[ -n "$pk" ]] || continue
    if [[ "$DRY_RUN" == true ]]; then
      info "  would rebuild $(jq -nc --arg pk "$pk" "$JQ_DEFS"'$pk | rebuild_request.rebuild')"
      continue
    fi
    local result
    if result="$(rebuild_session "$FUNCTION" "$QUALIFIER" "$(jq -nc --arg pk "$pk" "$JQ_DEFS"'$pk | rebuild_request')" "$dir")"; then
      info "  rebuilt $result"
    else
      failed=1
    fi
  done 4<"$file"
  return "$failed"
}

# replay DIR: sends DIR/events.json's records to the recorder; failed records' sessions go to
# DIR/failed-sessions. Returns 1 if any record failed, 2 if nothing could be sent.
replay() {
  local dir="$1" chunk error failed=0
  if ! { jq -c --argjson max "$MAX_PAYLOAD" --argjson maxrec "$MAX_RECORDS" '
    reduce .[] as $r ({chunks: [], cur: [], size: 16};
      ($r | tojson | utf8bytelength + 1) as $n
      | if (.cur | length) > 0 and (.size + $n > $max or (.cur | length) >= $maxrec)
        then .chunks += [.cur] | .cur = [$r] | .size = 16 + $n
        else .cur += [$r] | .size += $n end)
    | (.chunks + (if (.cur | length) > 0 then [.cur] else [] end))[] | {Records: .}' "$dir/events.json" >"$dir/invocations.jsonl" &&
    (cd "$dir" && split -l 1 -a 3 invocations.jsonl invocation-); }; then
    warn "  could not prepare the invocations"
    return 2
  fi
  # Every event in exactly one invocation, or nothing is sent.
  [[ "$(cat "$dir"/invocation-??? 2>/dev/null | jq -s '[.[].Records | length] | add // 0')" == "$(jq length "$dir/events.json")" ]] ||
    { warn "  could not prepare the invocations"; return 2; }
  : >"$dir/failed-seqs"
  for chunk in "$dir"/invocation-???; do
    if [[ "$DRY_RUN" == true ]]; then
      info "  would invoke $FUNCTION:$QUALIFIER with $(jq '.Records | length' "$chunk") records ($(wc -c <"$chunk" | tr -d ' ') bytes)"
      continue
    fi
    if ! error="$(invoke_function "$FUNCTION" "$QUALIFIER" "$chunk" "$chunk.response")"; then
      warn "  the invocation failed"
      jq -r '.Records[].dynamodb.SequenceNumber' "$chunk" >>"$dir/failed-seqs"
    elif [[ -n "$error" ]]; then
      warn "  the recorder failed ($error): $(head -c 2000 "$chunk.response")"
      jq -r '.Records[].dynamodb.SequenceNumber' "$chunk" >>"$dir/failed-seqs"
    elif ! jq -e 'type == "object"' "$chunk.response" >/dev/null 2>&1; then
      warn "  the recorder answered no JSON object: $(head -c 2000 "$chunk.response")"
      jq -r '.Records[].dynamodb.SequenceNumber' "$chunk" >>"$dir/failed-seqs"
    else
      jq -r '(.batchItemFailures // [])[] | .itemIdentifier' "$chunk.response" >>"$dir/failed-seqs"
      info "  invoked with $(jq '.Records | length' "$chunk") records: $(jq '(.batchItemFailures // []) | length' "$chunk.response") failed"
    fi
  done
  jq -r --rawfile failed "$dir/failed-seqs" '
    ($failed | split("\n") | map(select(length > 0))) as $f
    | .[] | select(.dynamodb.SequenceNumber as $s | any($f[]; . == $s)) | .dynamodb.Keys.pk.S' "$dir/events.json" |
    sort -u >"$dir/failed-sessions" || return 2
  if [[ -s "$dir/failed-seqs" ]]; then failed=1; fi
  return "$failed"
}

# scan_sessions DIR FIRST LAST: the sessions with events recorded between the two times (ISO 8601)
# widened by the margin, into DIR/sessions. Returns 1 if the scan is not possible or failed.
scan_sessions() {
  local dir="$1" first="$2" last="$3" from to size
  from="$(jq -n --arg t "$first" --argjson m "$SCAN_MARGIN" "$JQ_DEFS"'($t | epoch_seconds) as $s | if $s == null then "" else (($s - $m) * 1000 | floor | tostring) end' -r)"
  to="$(jq -n --arg t "$last" --argjson m "$SCAN_MARGIN" "$JQ_DEFS"'($t | epoch_seconds) as $s | if $s == null then "" else (($s + $m) * 1000 | floor | tostring) end' -r)"
  if [[ -z "$from" || -z "$to" ]]; then
    warn "  the message has no usable approximateArrivalOfFirstRecord/LastRecord: no window to scan"
    return 1
  fi
  size="$(aws_cli dynamodb describe-table --table-name "$EVENTS_TABLE" --output json |
    jq -r '.Table | "\(.ItemCount) items, \((.TableSizeBytes / 1048576 * 10 | floor) / 10) MiB: about \((.TableSizeBytes / 4096 / 2) | ceil) read units (the figures lag by hours)"')"
  if [[ "$DRY_RUN" == true ]]; then
    info "  would scan $EVENTS_TABLE ($size) for events recorded between $first and $last (+/- ${SCAN_MARGIN}s)"
    return 1
  fi
  info "  scanning $EVENTS_TABLE ($size) for events recorded between $first and $last (+/- ${SCAN_MARGIN}s)"
  aws_cli dynamodb scan --table-name "$EVENTS_TABLE" --projection-expression "#pk" \
    --filter-expression "#at BETWEEN :from AND :to AND attribute_exists(#id)" \
    --expression-attribute-names '{"#pk": "pk", "#at": "recorded_at", "#id": "event_id"}' \
    --expression-attribute-values "{\":from\": {\"N\": \"$from\"}, \":to\": {\"N\": \"$to\"}}" \
    --output json >"$dir/scan.json" || return 1
  jq -r '.Items[].pk.S' "$dir/scan.json" | sort -u >"$dir/sessions"
  info "  $(wc -l <"$dir/sessions" | tr -d ' ') sessions have events in that window"
}

# handle MESSAGE_JSON INDEX: returns 0 if the message may be deleted. It runs with errexit off (it
# is called in a condition), so every step that matters is checked.
handle() {
  local message="$1" dir="$WORK/message-$2"
  mkdir -p "$dir"
  local receipt body
  receipt="$(jq -r '.ReceiptHandle' <<<"$message")"
  body="$(jq -r '.Body' <<<"$message")"
  printf '%s' "$body" >"$dir/body.json"
  extend_visibility "$receipt"
  if ! jq -e '.DDBStreamBatchInfo.streamArn and .DDBStreamBatchInfo.shardId and .DDBStreamBatchInfo.startSequenceNumber and .DDBStreamBatchInfo.endSequenceNumber' "$dir/body.json" >/dev/null 2>&1; then
    warn "  not a DynamoDB stream invocation record (no DDBStreamBatchInfo with the stream, shard and sequence numbers): kept. Body: $(head -c 500 "$dir/body.json")"
    return 1
  fi
  local arn shard start end first last
  arn="$(jq -r '.DDBStreamBatchInfo.streamArn' "$dir/body.json")"
  shard="$(jq -r '.DDBStreamBatchInfo.shardId' "$dir/body.json")"
  start="$(jq -r '.DDBStreamBatchInfo.startSequenceNumber' "$dir/body.json")"
  end="$(jq -r '.DDBStreamBatchInfo.endSequenceNumber' "$dir/body.json")"
  first="$(jq -r '.DDBStreamBatchInfo.approximateArrivalOfFirstRecord // empty' "$dir/body.json")"
  last="$(jq -r '.DDBStreamBatchInfo.approximateArrivalOfLastRecord // empty' "$dir/body.json")"
  info "  $(jq -r "$JQ_DEFS"'
    (.DDBStreamBatchInfo.approximateArrivalOfFirstRecord | epoch_seconds) as $t
    | "\(.requestContext.condition // "?") after \(.requestContext.approximateInvokeCount // "?") invocations (\(.responseContext.functionError // "no function error")): \(.DDBStreamBatchInfo.batchSize // "?") records of \(.DDBStreamBatchInfo.shardId), \(.DDBStreamBatchInfo.startSequenceNumber)..\(.DDBStreamBatchInfo.endSequenceNumber), written from \(.DDBStreamBatchInfo.approximateArrivalOfFirstRecord // "?")"
      + (if $t then " (\(((now - $t) / 3600 * 10 | floor) / 10) h ago; the stream keeps records 24 h)" else "" end)' "$dir/body.json")"

  local status=0
  fetch_records "$arn" "$shard" "$start" "$end" "$dir/records.jsonl" || status=$?
  if [[ $status -eq 3 ]]; then
    if [[ "$SCAN" == false ]]; then
      warn "  kept: rebuild the sessions written in that window (infra/README.md, Rebuild a session), or run again with --scan-events to find them with a scan of the events table"
      return 1
    fi
    extend_visibility "$receipt"
    scan_sessions "$dir" "$first" "$last" || return 1
    [[ -s "$dir/sessions" ]] || { warn "  no session has events in that window: kept"; return 1; }
    rebuild_all "$dir" "$dir/sessions"
    return
  elif [[ $status -ne 0 ]]; then
    warn "  kept: the records could not be read"
    return 1
  fi

  # As the event source mapping delivers them: only INSERTs of events (the template's filter),
  # with eventSourceARN, and ApproximateCreationDateTime in epoch seconds (the CLI may print it
  # as a date; the recorder does not read it).
  if ! { jq -s -c --arg arn "$arn" "$JQ_DEFS"'
    [.[] | select(is_event) | . + {eventSourceARN: $arn}
     | (.dynamodb.ApproximateCreationDateTime | epoch_seconds) as $t
     | if $t == null then del(.dynamodb.ApproximateCreationDateTime) else .dynamodb.ApproximateCreationDateTime = $t end]' \
    "$dir/records.jsonl" >"$dir/events.json" &&
    jq -r '.[].dynamodb.Keys.pk.S' "$dir/events.json" | sort -u >"$dir/sessions"; }; then
    warn "  kept: the records could not be read as events"
    return 1
  fi
  local count batch_size
  count="$(jq length "$dir/events.json")"
  batch_size="$(jq -r '.DDBStreamBatchInfo.batchSize // 0' "$dir/body.json")"
  info "  read $(wc -l <"$dir/records.jsonl" | tr -d ' ') stream records: $count new events of $(wc -l <"$dir/sessions" | tr -d ' ') sessions"
  if [[ "$count" -eq 0 ]]; then
    # The batch held at least one record that passed the template's filter: it must be here.
    warn "  kept: no new event in that range, although the batch had $batch_size records"
    return 1
  fi
  if [[ "$batch_size" =~ ^[0-9]+$ && "$count" -ne "$batch_size" ]]; then
    warn "  the batch had $batch_size records and the range holds $count new events; replaying the $count"
  fi
  extend_visibility "$receipt"
  if [[ "$REBUILD" == true ]]; then
    rebuild_all "$dir" "$dir/sessions"
    return
  fi
  if replay "$dir"; then
    return 0
  fi
  [[ "$DRY_RUN" == true ]] && return 0
  if [[ "$FALLBACK" == false || ! -s "$dir/failed-sessions" ]]; then
    warn "  kept: $(wc -l <"$dir/failed-seqs" | tr -d ' ') records failed"
    return 1
  fi
  warn "  $(wc -l <"$dir/failed-seqs" | tr -d ' ') records of $(wc -l <"$dir/failed-sessions" | tr -d ' ') sessions failed: rebuilding those sessions"
  rebuild_all "$dir" "$dir/failed-sessions"
}

handled=0
deleted=0
kept=0
index=0
while [[ "$MAX_MESSAGES" -eq 0 || $index -lt "$MAX_MESSAGES" ]]; do
  want=10
  if [[ "$MAX_MESSAGES" -gt 0 && $((MAX_MESSAGES - index)) -lt 10 ]]; then want=$((MAX_MESSAGES - index)); fi
  reply="$(aws_cli sqs receive-message --queue-url "$QUEUE_URL" --max-number-of-messages "$want" --wait-time-seconds 2 \
    --visibility-timeout "$VISIBILITY" --attribute-names All --output json)" || die "could not read the queue $QUEUE_URL"
  jq -c '(.Messages // [])[]' <<<"${reply:-{\}}" >"$WORK/batch.jsonl"
  [[ -s "$WORK/batch.jsonl" ]] || break
  fresh=0
  while IFS= read -r message <&3; do
    id="$(jq -r '.MessageId' <<<"$message")"
    # A message kept earlier in this run comes back when its visibility timeout ends.
    if grep -qxF "$id" "$WORK/seen"; then continue; fi
    echo "$id" >>"$WORK/seen"
    fresh=1
    index=$((index + 1))
    info "message $index: $id (received $(jq -r '.Attributes.ApproximateReceiveCount // "?"' <<<"$message") times)"
    ok=0
    handle "$message" "$index" || ok=$?
    if [[ -n "$SAVE_DIR" ]]; then
      mkdir -p "$SAVE_DIR/$id"
      cp -R "$WORK/message-$index/." "$SAVE_DIR/$id/"
    fi
    handled=$((handled + 1))
    if [[ $ok -eq 0 ]]; then
      if [[ "$DRY_RUN" == true ]]; then
        info "  would delete the message"
        deleted=$((deleted + 1))
      elif aws_cli sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$(jq -r '.ReceiptHandle' <<<"$message")"; then
        info "  done: message deleted"
        deleted=$((deleted + 1))
      else
        warn "  handled, but the message could not be deleted: it comes back after ${VISIBILITY}s, and replaying it again is harmless"
        kept=$((kept + 1))
      fi
    else
      kept=$((kept + 1))
    fi
    if [[ "$MAX_MESSAGES" -gt 0 && $index -ge "$MAX_MESSAGES" ]]; then break; fi
  done 3<"$WORK/batch.jsonl"
  [[ $fresh -eq 1 ]] || break
done

if [[ "$DRY_RUN" == true ]]; then
  info "dry run: $handled messages read, $deleted could be handled, $kept would be kept (hidden for ${VISIBILITY}s, then visible again)"
else
  info "$handled messages: $deleted handled and deleted, $kept kept in the queue"
fi
[[ $kept -eq 0 ]]
