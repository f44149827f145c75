#!/usr/bin/env bash
# Checks infra/ without AWS or Docker: shellcheck (where installed), every JSON file with jq,
# template.yaml through SAM's translator (where installed),
# the top-level samconfig.toml with Python's TOML reader (where there is one), then each script's behaviour
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
  cp "$INFRA/../samconfig.toml" "$REPO/samconfig.toml"
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
  {"OutputKey": "RecorderFunctionName", "OutputValue": "sessionlog-dev-RecorderFunction-F1"},
  {"OutputKey": "EventsTableName", "OutputValue": "sessionlog-dev-EventsTable-T1"}]}]}
EOF
}

STREAM_ARN="arn:aws:dynamodb:us-test-1:123456789012:table/sessionlog-dev-EventsTable-T1/stream/2026-11-01T00:00:00.000"
S101=800000000000000000101
S102=800000000000000000102
S103=800000000000000000103
S104=800000000000000000104

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

# --- static checks -------------------------------------------------------------------------------
t_shellcheck() {
  if ! command -v shellcheck >/dev/null; then
    echo "shellcheck is not installed (apt-get install shellcheck)"
    return 77
  fi
  (cd "$INFRA" && shellcheck -x ./*.sh lib/*.sh localstack/*.sh test/*.sh test/bin/*)
}

# template.yaml through SAM's own translator (installed with cfn-lint): the HTTP API is openapi.yaml.
t_template_translates_with_sam() {
  if ! python3 -c 'import samtranslator' >/dev/null 2>&1; then
    echo "aws-sam-translator is not installed (pip install cfn-lint brings it)"
    return 77
  fi
  python3 "$HERE/sam_translate.py" "$INFRA/.."
}

t_json_valid() {
  local f
  while IFS= read -r f; do
    jq -e . "$f" >/dev/null || fail "$f is not valid JSON"
  done < <(find "$INFRA" -name '*.json')
}

t_samconfig() {
  python3 -c 'import tomllib' 2>/dev/null || { echo "no Python 3.11 tomllib here"; return 77; }
  python3 - "$INFRA/../samconfig.toml" <<'EOF'
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
  for s in deploy.sh replay-failures.sh rebuild-session.sh localstack/bootstrap.sh; do
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
  (cd "$REPO" && PATH="$T/onlyjq:/usr/bin:/bin" infra/replay-failures.sh) >"$OUT" 2>&1 || RC=$?
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "the AWS CLI (aws) is not installed"
}

t_no_region() {
  unset AWS_REGION
  export HOME="$T/home"
  echo '' >"$FAKE_DIR/configure.get"
  run infra/replay-failures.sh --env dev
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "no AWS region"
}

# --- replay-failures.sh --------------------------------------------------------------------------
# failure_fixture KEY SEQNO...: an object of the failure bucket, the invocation record Lambda writes
# for a failed batch (the stream event as its payload, a JSON string).
failure_fixture() {
  local key="$1"
  shift
  local records=()
  for sn in "$@"; do records+=("$(record "$sn" INSERT 'acme#s1' 1)"); done
  printf '%s\n' "${records[@]}" | jq -s --arg arn "$STREAM_ARN" '
    {requestContext: {requestId: "r-1", functionArn: "arn:aws:lambda:us-test-1:123456789012:function:rec:live",
                      condition: "RetryAttemptsExhausted", approximateInvokeCount: 11},
     responseContext: {statusCode: 200, executedVersion: "7", functionError: "Unhandled"},
     version: "1.0", timestamp: "2026-11-20T10:05:00.000Z",
     DDBStreamBatchInfo: {shardId: "shardId-0001", batchSize: length, streamArn: $arn},
     payload: ({Records: map(. + {eventSourceARN: $arn})} | tojson)}' >"$FAKE_DIR/$key"
}

failures_stack_fixture() {
  cat >"$FAKE_DIR/cloudformation.describe-stacks" <<'EOF'
{"Stacks": [{"StackName": "sessionlog-dev", "StackStatus": "UPDATE_COMPLETE", "Outputs": [
  {"OutputKey": "RecorderFunctionName", "OutputValue": "sessionlog-dev-RecorderFunction-F1"},
  {"OutputKey": "RecorderFailureBucketName", "OutputValue": "sessionlog-dev-failures"}]}]}
EOF
}

t_replay_failures() {
  failures_stack_fixture
  failure_fixture batch-1.json "$S101" "$S103"
  failure_fixture batch-2.json "$S104"
  echo '["aws/lambda/uuid/shardId-0001/2026/11/20/batch-1.json", "aws/lambda/uuid/shardId-0001/2026/11/20/batch-2.json"]' \
    >"$FAKE_DIR/s3api.list-objects-v2"
  run infra/replay-failures.sh --env dev
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_called "s3 cp s3://sessionlog-dev-failures/aws/lambda/uuid/shardId-0001/2026/11/20/batch-1.json"
  assert_called "lambda invoke --function-name sessionlog-dev-RecorderFunction-F1 --qualifier live"
  jq -e --arg a "$S101" --arg b "$S103" '(.Records | map(.dynamodb.SequenceNumber)) == [$a, $b]' "$FAKE_DIR/invoke.1.json" >/dev/null ||
    fail "the replayed event: $(cat "$FAKE_DIR/invoke.1.json")"
  assert_called "s3 rm s3://sessionlog-dev-failures/aws/lambda/uuid/shardId-0001/2026/11/20/batch-2.json"
  assert_in "$OUT" "batch-1.json: replayed"
}

t_replay_failures_kept_when_failed_again() {
  failures_stack_fixture
  failure_fixture batch-1.json "$S101"
  export FAKE_FAIL_SEQS="$S101"
  run infra/replay-failures.sh --env dev aws/lambda/uuid/shardId-0001/2026/11/20/batch-1.json
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "the recorder failed it again"
  assert_not_called "s3 rm"
}

t_replay_failures_dry_run_and_keep() {
  failures_stack_fixture
  failure_fixture batch-1.json "$S101" "$S102"
  run infra/replay-failures.sh --env dev --dry-run x/batch-1.json
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_in "$OUT" "x/batch-1.json: would replay 2 records"
  assert_not_called "lambda invoke"
  run infra/replay-failures.sh --env dev --keep x/batch-1.json
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_not_called "s3 rm"
}

t_replay_failures_not_a_batch() {
  failures_stack_fixture
  echo '{"something": "else"}' >"$FAKE_DIR/odd.json"
  run infra/replay-failures.sh --env dev odd.json
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" "odd.json: not a failed stream batch"
}

t_replay_failures_none() {
  failures_stack_fixture
  echo '[]' >"$FAKE_DIR/s3api.list-objects-v2"
  run infra/replay-failures.sh --env dev
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_in "$OUT" "no failed batches in sessionlog-dev-failures"
}

# --- verify-chain.py ------------------------------------------------------------------------------
t_verify_chain_script() {
  # A session of two records made with the chain's rule; the script verifies it and finds a change.
  python3 - "$T/pages.json" <<'EOF'
import hashlib, json, sys
def jcs(v): return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
prev, recs = "0" * 64, []
for seq in (1, 2):
    r = {"seq": seq, "event_id": "e-%d" % seq, "parent_event_id": None, "parent_session_id": None,
         "recorded_at": "2026-11-21T10:00:00.000Z", "event": {"type": "Note", "n": seq}}
    prev = hashlib.sha256((prev + jcs(r)).encode()).hexdigest()
    recs.append(dict(r, chain=prev))
json.dump({"events": recs, "next_after_seq": None}, open(sys.argv[1], "w"))
EOF
  run python3 infra/verify-chain.py --pages "$T/pages.json"
  [[ $RC -eq 0 ]] || fail "exit $RC"
  assert_in "$OUT" '"ok": true'
  sed -i 's/"n": 2/"n": 3/' "$T/pages.json"
  run python3 infra/verify-chain.py --pages "$T/pages.json"
  [[ $RC -eq 1 ]] || fail "exit $RC"
  assert_in "$OUT" '"first_bad_seq": 2'
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
  assert_called "sam validate --lint --config-file $REPO/samconfig.toml --config-env dev --template-file $REPO/template.yaml --region us-test-1"
  assert_called "sam deploy --config-file $REPO/samconfig.toml --config-env dev --template-file $REPO/template.yaml --region us-test-1 --stack-name sessionlog-dev --no-execute-changeset"
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
