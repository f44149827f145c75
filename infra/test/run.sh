#!/usr/bin/env bash
# Checks infra/ without AWS or Docker: shellcheck (where installed), every JSON file with jq,
# samconfig.toml with Python's TOML reader (where there is one), then each script's behaviour
# against stand-ins for aws, sam, docker, curl and mvnw (infra/test/bin) that answer from fixtures
# and log every call. Ends with the line "N passed, N failed"; exits non-zero on a failure.
# Usage: infra/test/run.sh [-v] [TEST_NAME...]   (-v: print each test's output)
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
INFRA="$(cd "$HERE/.." && pwd)"
ORIG_PATH="$PATH"
VERBOSE=false
if [[ "${1:-}" == -v ]]; then VERBOSE=true; shift; fi
ONLY=("$@")
passed=0
failed=0
skipped=0
TMP_ROOT="$(mktemp -d)"
trap 'rm -rf "$TMP_ROOT"' EXIT

command -v jq >/dev/null || { echo "infra/test/run.sh needs jq" >&2; exit 1; }

# --- helpers used inside tests ---------------------------------------------------------------
fail() { echo "assertion failed: $*" >&2; exit 1; }  # ends the test's subshell
calls() { cat "$FAKE_DIR/calls.log" 2>/dev/null || true; }
assert_called() { calls | grep -qF -- "$1" || fail "no call matching: $1"; }
assert_not_called() { ! calls | grep -qF -- "$1" || fail "unexpected call: $1"; }
assert_in() { grep -qF -- "$2" "$1" || fail "\"$2\" not in $1: $(tail -n 20 "$1")"; }

setup() {
  T="$(mktemp -d "$TMP_ROOT/t.XXXXXX")"
  export FAKE_DIR="$T/fake"
  mkdir -p "$FAKE_DIR"
  REPO="$T/repo"
  mkdir -p "$REPO"
  cp -R "$INFRA" "$REPO/infra"
  cp "$HERE/bin/mvnw" "$REPO/mvnw"
  printf 'Resources: {}\n' >"$REPO/template.yaml"
  export PATH="$HERE/bin:$ORIG_PATH"
  export AWS_REGION=us-test-1
  unset CI SESSIONLOG_STACK SESSIONLOG_ENV SESSIONLOG_JWT_ISSUER SESSIONLOG_JWT_AUDIENCE SESSIONLOG_ALARM_EMAIL \
    JWT_ISSUER JWT_AUDIENCE ALARM_EMAIL \
    LOCALSTACK_AUTH_TOKEN LOCALSTACK_IMAGE AWS_DEFAULT_REGION AWS_PROFILE FAKE_FAIL_SEQS FAKE_FUNCTION_ERROR
  OUT="$T/out"
}

# run SCRIPT ARGS...: runs a copied script; its status in RC, its output in $OUT.
run() {
  RC=0
  (cd "$REPO" && "$@") >"$OUT" 2>&1 </dev/null || RC=$?
  return 0
}

stack_fixture() {
  cat >"$FAKE_DIR/cloudformation.describe-stacks" <<'EOF'
{"Stacks": [{"StackName": "sessionlog-dev", "StackStatus": "UPDATE_COMPLETE", "Outputs": [
  {"OutputKey": "ApiUrl", "OutputValue": "https://abc123.execute-api.us-test-1.amazonaws.com"},
  {"OutputKey": "RecorderDeadLetterQueueUrl", "OutputValue": "https://sqs.us-test-1.amazonaws.com/123456789012/sessionlog-dev-RecorderDeadLetterQueue-Q1"},
  {"OutputKey": "RecorderFunctionName", "OutputValue": "sessionlog-dev-RecorderFunction-F1"},
  {"OutputKey": "EventsTableName", "OutputValue": "sessionlog-dev-EventsTable-T1"}]}]}
EOF
}

STREAM_ARN="arn:aws:dynamodb:us-test-1:123456789012:table/sessionlog-dev-EventsTable-T1/stream/2026-11-01T00:00:00.000"
S101=800000000000000000101
S102=800000000000000000102
S103=800000000000000000103
S104=800000000000000000104

# message_fixture N BATCH_SIZE [START END]: the Nth receive-message answers one invocation record.
message_fixture() {
  jq -n --arg arn "$STREAM_ARN" --arg start "${3:-$S101}" --arg upto "${4:-$S103}" --argjson size "$2" --arg id "m-$1" '
    {requestContext: {requestId: "r-1", functionArn: "arn:aws:lambda:us-test-1:123456789012:function:rec:live",
                      condition: "RetryAttemptsExhausted", approximateInvokeCount: 11},
     responseContext: {statusCode: 200, executedVersion: "7", functionError: "Unhandled"},
     version: "1.0", timestamp: "2025-11-20T10:05:00.000Z",
     DDBStreamBatchInfo: {shardId: "shardId-0001", startSequenceNumber: $start, endSequenceNumber: $upto,
                          approximateArrivalOfFirstRecord: "2025-11-20T10:00:00Z",
                          approximateArrivalOfLastRecord: "2025-11-20T10:00:01Z", batchSize: $size, streamArn: $arn}}
    | {Messages: [{MessageId: $id, ReceiptHandle: "rh-\($id)", Body: tojson, Attributes: {ApproximateReceiveCount: "1"}}]}' \
    >"$FAKE_DIR/sqs.receive-message.$1"
}

# record SEQNO EVENT_NAME PK SEQ [TIME] [BODY]: one stream record as the CLI prints it.
record() {
  jq -n --arg sn "$1" --arg name "$2" --arg pk "$3" --arg seq "$4" --arg t "${5:-2025-11-20T11:00:00+01:00}" --arg body "${6:-{\}}" '
    {eventID: "id-\($sn)", eventName: $name, eventVersion: "1.1", eventSource: "aws:dynamodb", awsRegion: "us-test-1",
     dynamodb: ({ApproximateCreationDateTime: ($t | tonumber? // $t), Keys: {pk: {S: $pk}, seq: {N: $seq}},
                NewImage: ({pk: {S: $pk}, seq: {N: $seq}}
                           + if $seq == "0" then {archived_through: {N: "0"}}
                             else {event_id: {S: "e-\($sn)"}, recorded_at: {N: "1763632800000"}, type: {S: "AgentStart"}, body: {S: $body}} end),
                SequenceNumber: $sn, SizeBytes: 100, StreamViewType: "NEW_IMAGE"})}'
}

# The shard: 101 an event of acme/s1, 102 the archive's seq-0 item (filtered), an empty page,
# 103 an event of tenant "a b/ü" (percent-encoded in the key), 104 past the end.
stream_fixture() {
  echo '{"ShardIterator": "it-1"}' >"$FAKE_DIR/dynamodbstreams.get-shard-iterator"
  jq -s '{Records: ., NextShardIterator: "it-2"}' <(record "$S101" INSERT 'acme#s1' 1) <(record "$S102" MODIFY 'acme#s1' 0) \
    >"$FAKE_DIR/dynamodbstreams.get-records.1"
  echo '{"Records": [], "NextShardIterator": "it-3"}' >"$FAKE_DIR/dynamodbstreams.get-records.2"
  jq -s '{Records: ., NextShardIterator: "it-4"}' <(record "$S103" INSERT 'a+b%2F%C3%BC#s2' 1 1763632801) \
    <(record "$S104" INSERT 'acme#s1' 2) >"$FAKE_DIR/dynamodbstreams.get-records.3"
}

trimmed_fixture() {
  echo "An error occurred (TrimmedDataAccessException) when calling the GetShardIterator operation: records are beyond the trim horizon" \
    >"$FAKE_DIR/dynamodbstreams.get-shard-iterator.err"
  echo 254 >"$FAKE_DIR/dynamodbstreams.get-shard-iterator.rc"
}

# --- static checks -------------------------------------------------------------------------------
t_shellcheck() {
  if ! command -v shellcheck >/dev/null; then
    echo "shellcheck is not installed (apt-get install shellcheck)"
    return 77
  fi
  (cd "$INFRA" && shellcheck -x ./*.sh lib/*.sh localstack/*.sh test/*.sh test/bin/*)
}

t_json_valid() {
  local f
  while IFS= read -r f; do
    jq -e . "$f" >/dev/null || fail "$f is not valid JSON"
  done < <(find "$INFRA" -name '*.json')
  jq -e '.widgets | length > 10' "$INFRA/dashboard.json" >/dev/null
}

t_samconfig() {
  python3 -c 'import tomllib' 2>/dev/null || { echo "no Python 3.11 tomllib here"; return 77; }
  python3 - "$INFRA/samconfig.toml" <<'EOF'
import sys, tomllib
c = tomllib.load(open(sys.argv[1], "rb"))
assert c["version"] == 0.1
for env, stack in [("default", "sessionlog"), ("dev", "sessionlog-dev"), ("prod", "sessionlog-prod")]:
    assert c[env]["global"]["parameters"]["stack_name"] == stack, env
    d = c[env]["deploy"]["parameters"]
    assert d["capabilities"] == "CAPABILITY_IAM" and d["resolve_s3"] is True, env
    assert "region" not in d and "parameter_overrides" not in d, env
EOF
}

t_help() {
  local s
  for s in deploy.sh create-dashboard.sh replay-dlq.sh rebuild-session.sh localstack/bootstrap.sh; do
    run "infra/$s" --help
    [[ $RC -eq 0 ]] || fail "$s --help exited $RC"
    assert_in "$OUT" "Usage: infra/$s"
    run "infra/$s" --no-such-option
    [[ $RC -eq 2 ]] || fail "$s with an unknown option exited $RC, not 2"
  done
}

t_missing_prerequisite() {
  # A PATH with jq but without aws: the scripts say what is missing.
  mkdir -p "$T/onlyjq"
  ln -s "$(command -v jq)" "$T/onlyjq/jq"
  if PATH="$T/onlyjq:/usr/bin:/bin" command -v aws >/dev/null; then
    echo "an aws CLI is in /usr/bin or /bin here"
    return 77
  fi
  RC=0
  (cd "$REPO" && PATH="$T/onlyjq:/usr/bin:/bin" infra/replay-dlq.sh) >"$OUT" 2>&1 || RC=$?
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "the AWS CLI (aws) is not installed"
}

t_no_region() {
  unset AWS_REGION
  export HOME="$T/home"
  echo '' >"$FAKE_DIR/configure.get"
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "no AWS region"
}

# --- replay-dlq.sh -------------------------------------------------------------------------------
t_replay_success() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "--region us-test-1 dynamodbstreams get-shard-iterator --stream-arn $STREAM_ARN --shard-id shardId-0001 --shard-iterator-type AT_SEQUENCE_NUMBER --sequence-number $S101"
  [[ "$(grep -c 'get-records' "$FAKE_DIR/calls.log")" -eq 3 ]] || fail "not 3 get-records calls"
  assert_called "lambda invoke --function-name sessionlog-dev-RecorderFunction-F1 --qualifier live"
  jq -e --arg arn "$STREAM_ARN" --arg a "$S101" --arg b "$S103" '
    (.Records | map(.dynamodb.SequenceNumber)) == [$a, $b]
    and all(.Records[]; .eventSourceARN == $arn and .eventName == "INSERT")
    and .Records[0].dynamodb.ApproximateCreationDateTime == 1763632800
    and .Records[1].dynamodb.ApproximateCreationDateTime == 1763632801' "$FAKE_DIR/invoke.1.json" >/dev/null ||
    fail "the replayed event: $(cat "$FAKE_DIR/invoke.1.json")"
  assert_called "sqs delete-message --queue-url https://sqs.us-test-1.amazonaws.com/123456789012/sessionlog-dev-RecorderDeadLetterQueue-Q1 --receipt-handle rh-m-1"
  assert_in "$OUT" "1 messages: 1 handled and deleted, 0 kept"
}

t_replay_dry_run() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  run infra/replay-dlq.sh --env dev --dry-run
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_not_called "lambda invoke"
  assert_not_called "sqs delete-message"
  assert_not_called "change-message-visibility"
  assert_called "--visibility-timeout 30"
  assert_in "$OUT" "would invoke sessionlog-dev-RecorderFunction-F1:live with 2 records"
}

t_replay_failure_rebuilds() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  export FAKE_FAIL_SEQS="$S103"
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 0 ]] || fail "exit $RC"
  jq -e '. == {rebuild: {tenant: "a b/ü", session_id: "s2"}}' "$FAKE_DIR/invoke.2.json" >/dev/null ||
    fail "the rebuild request: $(cat "$FAKE_DIR/invoke.2.json")"
  [[ ! -e "$FAKE_DIR/invoke.3.json" ]] || fail "more than the failed session was rebuilt"
  assert_called "sqs delete-message"
}

t_replay_failure_kept() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  export FAKE_FAIL_SEQS="$S101"
  run infra/replay-dlq.sh --env dev --no-rebuild-fallback
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_not_called "sqs delete-message"
  assert_in "$OUT" "kept: 1 records failed"
}

t_replay_function_error() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  export FAKE_FUNCTION_ERROR=1
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 1 ]] || fail "exit $RC"
  # every record failed, so both sessions were to be rebuilt, and the rebuilds failed too
  jq -e '.rebuild.tenant == "a b/ü"' "$FAKE_DIR/invoke.2.json" >/dev/null || fail "no rebuild of a b/ü"
  jq -e '.rebuild == {tenant: "acme", session_id: "s1"}' "$FAKE_DIR/invoke.3.json" >/dev/null || fail "no rebuild of acme/s1"
  assert_not_called "sqs delete-message"
}

t_replay_rebuild_mode() {
  stack_fixture
  message_fixture 1 2
  stream_fixture
  run infra/replay-dlq.sh --env dev --rebuild
  [[ $RC -eq 0 ]] || fail "exit $RC"
  jq -se 'map(.rebuild) | sort_by(.tenant) == [{tenant: "a b/ü", session_id: "s2"}, {tenant: "acme", session_id: "s1"}]' \
    "$FAKE_DIR/invoke.1.json" "$FAKE_DIR/invoke.2.json" >/dev/null || fail "not the two rebuilds"
  assert_called "sqs delete-message"
}

t_replay_trimmed_kept() {
  stack_fixture
  message_fixture 1 2
  trimmed_fixture
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "no longer in the stream"
  assert_in "$OUT" "--scan-events"
  assert_not_called "lambda invoke"
  assert_not_called "sqs delete-message"
}

t_replay_trimmed_scan() {
  stack_fixture
  message_fixture 1 2
  trimmed_fixture
  echo '{"Table": {"ItemCount": 1000, "TableSizeBytes": 4096000}}' >"$FAKE_DIR/dynamodb.describe-table"
  echo '{"Items": [{"pk": {"S": "acme#s1"}}, {"pk": {"S": "acme#s1"}}, {"pk": {"S": "x%23y#s#3"}}], "Count": 3}' >"$FAKE_DIR/dynamodb.scan"
  run infra/replay-dlq.sh --env dev --scan-events --scan-margin 60
  [[ $RC -eq 0 ]] || fail "exit $RC"
  # 2025-11-20T10:00:00Z - 60 s and 10:00:01Z + 60 s, in milliseconds
  assert_called '":from": {"N": "1763632740000"}, ":to": {"N": "1763632861000"}'
  assert_called "dynamodb scan --table-name sessionlog-dev-EventsTable-T1"
  jq -se 'map(.rebuild) | sort_by(.tenant) == [{tenant: "acme", session_id: "s1"}, {tenant: "x#y", session_id: "s#3"}]' \
    "$FAKE_DIR/invoke.1.json" "$FAKE_DIR/invoke.2.json" >/dev/null || fail "not the two rebuilds"
  assert_called "sqs delete-message"
}

t_replay_not_an_invocation_record() {
  stack_fixture
  echo '{"Messages": [{"MessageId": "m-x", "ReceiptHandle": "rh-x", "Body": "hello"}]}' >"$FAKE_DIR/sqs.receive-message.1"
  run infra/replay-dlq.sh --env dev
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "not a DynamoDB stream invocation record"
  assert_not_called "sqs delete-message"
}

t_replay_chunks() {
  stack_fixture
  message_fixture 1 3 "$S101" "$S103"
  echo '{"ShardIterator": "it-1"}' >"$FAKE_DIR/dynamodbstreams.get-shard-iterator"
  # three events with 200 KB bodies
  jq -s '{Records: map(.dynamodb.NewImage.body.S = "x" * 200000), NextShardIterator: "it-2"}' \
    <(record "$S101" INSERT 'acme#s1' 1 1763632800) <(record "$S102" INSERT 'acme#s1' 2 1763632800) \
    <(record "$S103" INSERT 'acme#s1' 3 1763632800) >"$FAKE_DIR/dynamodbstreams.get-records.1"
  echo '{"Records": []}' >"$FAKE_DIR/dynamodbstreams.get-records.2"
  run infra/replay-dlq.sh --env dev --max-payload-bytes 500000
  [[ $RC -eq 0 ]] || fail "exit $RC"
  jq -e '.Records | length == 2' "$FAKE_DIR/invoke.1.json" >/dev/null || fail "first invocation"
  jq -e '.Records | length == 1' "$FAKE_DIR/invoke.2.json" >/dev/null || fail "second invocation"
  [[ "$(wc -c <"$FAKE_DIR/invoke.1.json")" -le 500000 ]] || fail "an invocation over the limit"
}

t_replay_explicit_names() {
  message_fixture 1 2
  stream_fixture
  run infra/replay-dlq.sh --queue-url https://sqs.example/q --function rec --qualifier 9 --max-messages 1
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_not_called "cloudformation describe-stacks"
  assert_called "lambda invoke --function-name rec --qualifier 9"
  [[ "$(grep -c 'sqs receive-message' "$FAKE_DIR/calls.log")" -eq 1 ]] || fail "read on past --max-messages"
}

# --- rebuild-session.sh --------------------------------------------------------------------------
t_rebuild_session() {
  stack_fixture
  run infra/rebuild-session.sh --env dev 'a b/ü' s2 --pk 'acme#s1'
  [[ $RC -eq 0 ]] || fail "exit $RC"
  jq -se 'map(.rebuild) == [{tenant: "a b/ü", session_id: "s2"}, {tenant: "acme", session_id: "s1"}]' \
    "$FAKE_DIR/invoke.1.json" "$FAKE_DIR/invoke.2.json" >/dev/null || fail "the rebuild requests"
  assert_in "$OUT" '{"tenant":"a b/ü","session_id":"s2","recorded_through_seq":3,"loop_count":1}'
}

# --- create-dashboard.sh -------------------------------------------------------------------------
resources_fixture() {
  jq -n '{StackResourceSummaries: [
    ["HttpApi", "abc123", "AWS::ApiGatewayV2::Api"],
    ["AppendFunction", "sl-AppendFunction-A", "AWS::Lambda::Function"],
    ["QueryFunction", "sl-QueryFunction-Q", "AWS::Lambda::Function"],
    ["RecorderFunction", "sl-RecorderFunction-R", "AWS::Lambda::Function"],
    ["ScheduledFunction", "sl-ScheduledFunction-S", "AWS::Lambda::Function"],
    ["EventsTable", "sl-EventsTable-E", "AWS::DynamoDB::Table"],
    ["SessionsTable", "sl-SessionsTable-S", "AWS::DynamoDB::Table"],
    ["RecorderDeadLetterQueue", "https://sqs.us-test-1.amazonaws.com/123456789012/sl-RecorderDeadLetterQueue-D", "AWS::SQS::Queue"],
    ["ApiAccessLogGroup", "sl-ApiAccessLogGroup-L", "AWS::Logs::LogGroup"],
    ["AppendLogGroup", "sl-AppendLogGroup-L", "AWS::Logs::LogGroup"],
    ["QueryLogGroup", "sl-QueryLogGroup-L", "AWS::Logs::LogGroup"],
    ["RecorderLogGroup", "sl-RecorderLogGroup-L", "AWS::Logs::LogGroup"],
    ["ScheduledLogGroup", "sl-ScheduledLogGroup-L", "AWS::Logs::LogGroup"],
    ["Api5xxAlarm", "sl-Api5xxAlarm-1", "AWS::CloudWatch::Alarm"],
    ["RecorderIteratorAgeAlarm", "sl-RecorderIteratorAgeAlarm-2", "AWS::CloudWatch::Alarm"]]
    | map({LogicalResourceId: .[0], PhysicalResourceId: .[1], ResourceType: .[2]})}' \
    >"$FAKE_DIR/cloudformation.list-stack-resources"
  echo '{"MetricAlarms": [{"AlarmArn": "arn:aws:cloudwatch:us-test-1:123456789012:alarm:sl-RecorderIteratorAgeAlarm-2"},
    {"AlarmArn": "arn:aws:cloudwatch:us-test-1:123456789012:alarm:sl-Api5xxAlarm-1"}], "CompositeAlarms": []}' \
    >"$FAKE_DIR/cloudwatch.describe-alarms"
}

t_dashboard() {
  resources_fixture
  run infra/create-dashboard.sh --env prod --print
  [[ $RC -eq 0 ]] || fail "exit $RC: $(tail -n 5 "$OUT")"
  sed -n '/^{/,$p' "$OUT" >"$T/body.json"
  jq -e . "$T/body.json" >/dev/null || fail "not JSON"
  # shellcheck disable=SC2016 # a literal ${
  ! grep -qF '${' "$T/body.json" || fail "placeholders left"
  jq -e '
    ([.widgets[] | select(.type == "alarm") | .properties.alarms] == [["arn:aws:cloudwatch:us-test-1:123456789012:alarm:sl-Api5xxAlarm-1", "arn:aws:cloudwatch:us-test-1:123456789012:alarm:sl-RecorderIteratorAgeAlarm-2"]])
    and all(.widgets[] | select(.type == "metric" or .type == "log") | .properties.region; . == "us-test-1")
    and ([.. | arrays | select(.[0] == "AWS/SQS") | .[3]] | unique == ["sl-RecorderDeadLetterQueue-D"])
    and ([.. | arrays | select(.[0] == "AWS/ApiGateway") | .[3]] | unique == ["abc123"])
    and ([.. | arrays | select(.[0] == "AWS/Lambda" and .[2] == "FunctionName") | .[3]] | unique == ["sl-AppendFunction-A", "sl-QueryFunction-Q", "sl-RecorderFunction-R", "sl-ScheduledFunction-S"])
    and ([.. | arrays | select(.[0] == "sessionlog") | .[1]] | unique == ["AppendLatency", "BytesArchived", "EventsAppended", "EventsArchived", "FoldErrors", "RecorderLag"])
    and ([.. | arrays | select(.[0] == "sessionlog") | .[2:4]] | unique == [["Function", "append"], ["Function", "archive"], ["Function", "record"]])
    and ([.widgets[] | select(.type == "log") | .properties.query][0] | startswith("SOURCE '"'"'sl-AppendLogGroup-L'"'"' | SOURCE '"'"'sl-QueryLogGroup-L'"'"' | SOURCE '"'"'sl-RecorderLogGroup-L'"'"' | SOURCE '"'"'sl-ScheduledLogGroup-L'"'"' | fields"))
    and (tojson | contains("TableName=\\\"sl-EventsTable-E\\\""))' "$T/body.json" >/dev/null ||
    fail "the dashboard body is not filled in as expected"
  assert_called "cloudformation list-stack-resources --stack-name sessionlog-prod"
  assert_not_called "put-dashboard"
  run infra/create-dashboard.sh --env prod --name my_board
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "cloudwatch put-dashboard --dashboard-name my_board --dashboard-body file://"
  cmp -s "$FAKE_DIR/dashboard-body.json" "$T/body.json" || fail "put another body than --print printed"
}

t_dashboard_not_sessionlog() {
  echo '{"StackResourceSummaries": [{"LogicalResourceId": "Other", "PhysicalResourceId": "x", "ResourceType": "AWS::SNS::Topic"}]}' \
    >"$FAKE_DIR/cloudformation.list-stack-resources"
  run infra/create-dashboard.sh --stack other
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "has no resource RecorderDeadLetterQueue"
}

# --- deploy.sh -------------------------------------------------------------------------------
change_set_fixture() {
  cat >"$FAKE_DIR/sam.deploy.out" <<'EOF'
Deploying with following values
===============================
Stack name                   : sessionlog-dev

Changeset created successfully. arn:aws:cloudformation:us-test-1:123456789012:changeSet/samcli-deploy1763632800/0a1b2c3d-1111-2222-3333-444455556666

EOF
  jq -n --arg r "${1:-False}" '{Changes: [
    {ResourceChange: {Action: "Modify", LogicalResourceId: "AppendFunction", ResourceType: "AWS::Lambda::Function", Replacement: "False"}},
    {ResourceChange: {Action: "Modify", LogicalResourceId: "EventsTable", ResourceType: "AWS::DynamoDB::Table", Replacement: $r}}]}' \
    >"$FAKE_DIR/cloudformation.describe-change-set"
}

t_deploy_update_ci() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks.1"
  echo "| ApiUrl | https://abc123.execute-api |" >"$FAKE_DIR/cloudformation.describe-stacks.2"
  change_set_fixture
  run infra/deploy.sh --env dev --ci
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "mvnw -B package -DskipTests"
  assert_called "sam validate --lint --config-file $REPO/infra/samconfig.toml --config-env dev --template-file $REPO/template.yaml --region us-test-1"
  assert_called "sam deploy --config-file $REPO/infra/samconfig.toml --config-env dev --template-file $REPO/template.yaml --region us-test-1 --stack-name sessionlog-dev --no-execute-changeset"
  assert_not_called "--parameter-overrides"
  assert_called "cloudformation execute-change-set --change-set-name arn:aws:cloudformation:us-test-1:123456789012:changeSet/samcli-deploy1763632800/0a1b2c3d-1111-2222-3333-444455556666"
  assert_called "cloudformation wait stack-update-complete --stack-name sessionlog-dev"
  assert_in "$OUT" "https://abc123.execute-api"
  assert_in "$OUT" "no DeletionPolicy: Retain"
}

t_deploy_first_needs_issuer() {
  echo "An error occurred (ValidationError): Stack with id sessionlog does not exist" >"$FAKE_DIR/cloudformation.describe-stacks.err"
  echo 254 >"$FAKE_DIR/cloudformation.describe-stacks.rc"
  run infra/deploy.sh --ci --skip-build
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "the first deployment of sessionlog needs the JWT issuer and audience"
  assert_not_called "sam deploy"
}

t_deploy_first_with_parameters() {
  echo "Stack with id sessionlog does not exist" >"$FAKE_DIR/cloudformation.describe-stacks.1.err"
  echo 254 >"$FAKE_DIR/cloudformation.describe-stacks.1.rc"
  echo "| outputs |" >"$FAKE_DIR/cloudformation.describe-stacks.2"
  change_set_fixture
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  # the variable names of the project README's example
  JWT_ISSUER=https://issuer.example/pool JWT_AUDIENCE=client-a,client-b \
    run infra/deploy.sh --ci --skip-build --alarm-email ops@example.com --parameter IdleTimeout=PT2H
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "--parameter-overrides JwtIssuer=https://issuer.example/pool JwtAudience=client-a,client-b AlarmEmail=ops@example.com IdleTimeout=PT2H"
  assert_called "cloudformation wait stack-create-complete --stack-name sessionlog"
  assert_not_called "mvnw"
  assert_in "$OUT" "confirm the subscription"
}

t_deploy_prefixed_variables_win() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks"
  change_set_fixture
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  SESSIONLOG_JWT_AUDIENCE=new-client JWT_AUDIENCE=old-client SESSIONLOG_ALARM_EMAIL='' \
    run infra/deploy.sh --env dev --ci --skip-build
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "--parameter-overrides JwtAudience=new-client AlarmEmail=''"
}

t_deploy_refuses_replacement() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks"
  change_set_fixture True
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  run infra/deploy.sh --env prod --ci --skip-build
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "would replace or delete stored data: EventsTable (Modify, replacement: True)"
  assert_called "cloudformation delete-change-set"
  assert_not_called "execute-change-set"
}

t_deploy_dry_run_and_bad_values() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks"
  change_set_fixture
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  run infra/deploy.sh --env dev --skip-build --dry-run
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_not_called "execute-change-set"
  assert_in "$OUT" "dry run: the change set is not executed"
  run infra/deploy.sh --env dev --skip-build --issuer http://plain.example
  [[ $RC -eq 1 ]] || fail "an http issuer was accepted"
  run infra/deploy.sh --env dev --skip-build --audience 'a b'
  [[ $RC -eq 1 ]] || fail "an audience with a space was accepted"
  run infra/deploy.sh --env staging --skip-build
  [[ $RC -eq 1 ]] || fail "an unknown environment was accepted"
  assert_in "$OUT" 'environment "staging" has no stack_name'
}

t_deploy_needs_terminal() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks"
  change_set_fixture
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  run infra/deploy.sh --env prod --skip-build
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "no terminal to confirm on"
  assert_not_called "execute-change-set"
  assert_called "cloudformation delete-change-set"
}

t_deploy_dev_does_not_ask() {
  echo UPDATE_COMPLETE >"$FAKE_DIR/cloudformation.describe-stacks"
  change_set_fixture
  mkdir -p "$REPO/target" && echo zip >"$REPO/target/function.zip"
  run infra/deploy.sh --env dev --skip-build
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "execute-change-set"
}

# --- localstack/bootstrap.sh ---------------------------------------------------------------------
t_localstack_start_only() {
  export LOCALSTACK_AUTH_TOKEN=ls-secret-token-value
  run infra/localstack/bootstrap.sh --start-only
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "docker run -d --rm --name sessionlog-localstack -p 127.0.0.1:4566:4566 -e LOCALSTACK_AUTH_TOKEN localstack/localstack"
  ! grep -q ls-secret-token-value "$FAKE_DIR/calls.log" "$OUT" || fail "the token's value was on a command line or in the output"
  assert_in "$OUT" "SESSIONLOG_DYNAMODB_ENDPOINT=http://localhost:4566 SESSIONLOG_S3_ENDPOINT=http://localhost:4566 ./mvnw -Plocal"
  assert_not_called "docker stop"
}

t_localstack_run() {
  run infra/localstack/bootstrap.sh --port 4577 -- -DSESSIONLOG_API_PORT=8081
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "mvnw -Plocal -DSESSIONLOG_API_PORT=8081 | dynamodb=http://localhost:4577 s3=http://localhost:4577"
  assert_called "docker stop sessionlog-localstack"
}

t_localstack_dies() {
  export FAKE_DOCKER_RUN_STATE=exited
  run infra/localstack/bootstrap.sh --start-only --timeout 4
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "fake localstack log"
  assert_in "$OUT" "LOCALSTACK_AUTH_TOKEN"
}

t_localstack_no_daemon() {
  export FAKE_DOCKER_INFO_RC=1
  run infra/localstack/bootstrap.sh
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "the Docker daemon does not answer"
}

# --- runner --------------------------------------------------------------------------------------
TESTS=()
while IFS= read -r name; do TESTS+=("$name"); done < <(declare -F | awk '{print $3}' | grep '^t_')
for name in "${TESTS[@]}"; do
  if [[ ${#ONLY[@]} -gt 0 && " ${ONLY[*]} " != *" $name "* && " ${ONLY[*]} " != *" ${name#t_} "* ]]; then continue; fi
  log="$TMP_ROOT/$name.log"
  status=0
  (setup && "$name") >"$log" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "ok      ${name#t_}"
  elif [[ $status -eq 77 ]]; then
    skipped=$((skipped + 1))
    echo "skipped ${name#t_}: $(tail -n 1 "$log")"
  else
    failed=$((failed + 1))
    echo "FAILED  ${name#t_}"
    sed 's/^/    /' "$log" | tail -n 30
    for out in "$TMP_ROOT"/t.*/out; do
      [[ -f "$out" ]] || continue
      echo "    --- the script's last output:"
      sed 's/^/    /' "$out" | tail -n 30
    done
  fi
  if [[ "$VERBOSE" == true ]]; then sed 's/^/    | /' "$log"; fi
  rm -rf "$TMP_ROOT"/t.*
done
echo "infra: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
