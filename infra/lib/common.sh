# shellcheck shell=bash
# Shared by the scripts in infra/: messages, prerequisite checks, the AWS CLI with the chosen region
# and profile, the stack of an environment (samconfig.toml), stack outputs and resources,
# and invoking the recorder. Sourced, never run. Written for bash 3.2 too (macOS): no associative
# arrays, no mapfile, empty arrays expanded with ${a[@]+"${a[@]}"}.

# shellcheck disable=SC2034 # used by the scripts that source this file
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034
ROOT_DIR="$(cd "$INFRA_DIR/.." && pwd)"
SAMCONFIG="$ROOT_DIR/samconfig.toml"
PROG="${PROG:-$(basename "$0")}"

# Set by the common options (parse them with common_option).
ENV_NAME="${SESSIONLOG_ENV:-default}"
STACK="${SESSIONLOG_STACK:-}"
REGION=""
PROFILE=""

die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}

warn() {
  printf '%s: warning: %s\n' "$PROG" "$*" >&2
}

info() {
  printf '%s: %s\n' "$PROG" "$*" >&2
}

usage_error() {
  printf '%s: %s\nTry %s --help\n' "$PROG" "$*" "$PROG" >&2
  exit 2
}

# need CMD...: each command must be on PATH, or the script stops saying how to get it.
need() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 && continue
    case "$cmd" in
      aws) die "the AWS CLI (aws) is not installed: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" ;;
      sam) die "the AWS SAM CLI (sam) is not installed: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html" ;;
      jq) die "jq is not installed (1.6 or later): apt-get install jq, brew install jq, or https://jqlang.github.io/jq/" ;;
      docker) die "docker is not installed: https://docs.docker.com/get-docker/" ;;
      curl) die "curl is not installed" ;;
      java) die "java is not installed: the build needs a JDK 17 or later" ;;
      *) die "$cmd is not installed" ;;
    esac
  done
  case " $* " in
    *" jq "*)
      # walk, utf8bytelength and fromdateiso8601 as used here need jq 1.6.
      jq -n 'walk(.) | "é" | utf8bytelength' >/dev/null 2>&1 || die "jq is too old ($(jq --version 2>&1)): 1.6 or later is needed"
      ;;
  esac
}

# common_option NAME VALUE: takes one of the options every script has; returns 1 if NAME is not one.
common_option() {
  case "$1" in
    --env) ENV_NAME="$2" ;;
    --stack) STACK="$2" ;;
    --region) REGION="$2" ;;
    --profile) PROFILE="$2" ;;
    *) return 1 ;;
  esac
}

# shellcheck disable=SC2034,SC2016 # for the scripts' usage texts; the $NAMES are meant literally
COMMON_OPTIONS_HELP='  --env ENV          environment of samconfig.toml (default, dev, prod): its stack
                     (default: $SESSIONLOG_ENV, else "default")
  --stack NAME       the CloudFormation stack (default: $SESSIONLOG_STACK, else the
                     environment'"'"'s stack_name)
  --region REGION    AWS region (default: the AWS CLI'"'"'s: $AWS_REGION, $AWS_DEFAULT_REGION or
                     the profile'"'"'s region)
  --profile PROFILE  AWS CLI profile (default: $AWS_PROFILE or the default credentials)
  -h, --help         this help'

# aws_cli ARGS...: the AWS CLI with the chosen region and profile.
aws_cli() {
  local args=()
  if [[ -n "$REGION" ]]; then args+=(--region "$REGION"); fi
  if [[ -n "$PROFILE" ]]; then args+=(--profile "$PROFILE"); fi
  aws ${args[@]+"${args[@]}"} "$@"
}

# samconfig_value ENV KEY: KEY of [ENV.global.parameters] or [ENV.deploy.parameters] in
# samconfig.toml (a string value; empty if absent). A small reader for the file's flat
# layout, not a TOML parser.
samconfig_value() {
  [[ -f "$SAMCONFIG" ]] || return 0
  awk -v env="$1" -v key="$2" '
    /^[[:space:]]*\[/ {
      section = $0
      sub(/^[[:space:]]*\[[[:space:]]*/, "", section)
      sub(/[[:space:]]*\].*$/, "", section)
      wanted = (section == env ".global.parameters" || section == env ".deploy.parameters")
      next
    }
    wanted {
      line = $0
      if (match(line, "^[[:space:]]*" key "[[:space:]]*=")) {
        line = substr(line, RLENGTH + 1)
        sub(/^[[:space:]]*/, "", line)
        if (line ~ /^"/) { sub(/^"/, "", line); sub(/".*$/, "", line) }
        else { sub(/[[:space:]]*(#.*)?$/, "", line) }
        print line
        exit
      }
    }' "$SAMCONFIG"
}

samconfig_envs() {
  [[ -f "$SAMCONFIG" ]] || return 0
  sed -n 's/^[[:space:]]*\[\([A-Za-z0-9_-]*\)\.[a-z_]*\.parameters\].*/\1/p' "$SAMCONFIG" | sort -u | tr '\n' ' '
}

# resolve_stack: STACK from --stack, $SESSIONLOG_STACK, or the environment's stack_name.
resolve_stack() {
  if [[ -z "$STACK" ]]; then
    STACK="$(samconfig_value "$ENV_NAME" stack_name)"
    [[ -n "$STACK" ]] || die "environment \"$ENV_NAME\" has no stack_name in $SAMCONFIG (environments: $(samconfig_envs)); pass --stack NAME"
  fi
  [[ "$STACK" =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] || die "\"$STACK\" is not a CloudFormation stack name"
}

# resolve_region: REGION from --region, or the AWS CLI's own configuration. Nothing is assumed.
resolve_region() {
  if [[ -z "$REGION" ]]; then
    REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
  fi
  if [[ -z "$REGION" ]]; then
    REGION="$(aws_cli configure get region 2>/dev/null || true)"
  fi
  [[ -n "$REGION" ]] || die "no AWS region: pass --region REGION, set AWS_REGION, or run 'aws configure set region REGION'"
}

# require_session: region and working credentials; sets ACCOUNT and CALLER.
require_session() {
  resolve_region
  local identity
  identity="$(aws_cli sts get-caller-identity --output json 2>&1)" ||
    die "no working AWS credentials (aws sts get-caller-identity: $(printf '%s' "$identity" | tail -n 1)); log in (aws sso login, a profile, or environment credentials) and retry"
  ACCOUNT="$(jq -r '.Account' <<<"$identity")"
  CALLER="$(jq -r '.Arn' <<<"$identity")"
  export ACCOUNT CALLER
}

# stack_outputs: the stack's outputs as a JSON array ([] if it has none); stops if there is no stack.
stack_outputs() {
  local out
  out="$(aws_cli cloudformation describe-stacks --stack-name "$STACK" --output json 2>&1)" ||
    die "stack $STACK in $REGION: $(printf '%s' "$out" | tail -n 1)"
  jq -c '.Stacks[0].Outputs // []' <<<"$out"
}

# output_value OUTPUTS_JSON KEY: one output's value, or empty.
output_value() {
  jq -r --arg k "$2" '.[] | select(.OutputKey == $k) | .OutputValue' <<<"$1"
}

# stack_resources: the stack's resources, [{id, physical, type}] (CloudFormation's logical id,
# physical id and resource type, after the SAM transform).
stack_resources() {
  local out
  out="$(aws_cli cloudformation list-stack-resources --stack-name "$STACK" --output json 2>&1)" ||
    die "stack $STACK in $REGION: $(printf '%s' "$out" | tail -n 1)"
  jq -c '[.StackResourceSummaries[] | {id: .LogicalResourceId, physical: (.PhysicalResourceId // ""), type: .ResourceType}]' <<<"$out"
}

# resource_id RESOURCES_JSON LOGICAL_ID: one resource's physical id, or empty.
resource_id() {
  jq -r --arg id "$2" '.[] | select(.id == $id) | .physical' <<<"$1"
}

# invoke_function FUNCTION QUALIFIER PAYLOAD_FILE OUT_FILE: a synchronous invocation. Prints the
# function error ("Unhandled", ...) if the function failed, nothing if it succeeded; returns
# non-zero if the invocation itself failed (the message is on stderr). The read timeout is above
# the recorder's 60 s timeout; the CLI may retry a timed-out call, which the recorder tolerates
# (it skips what it has folded already).
invoke_function() {
  local meta
  meta="$(aws_cli lambda invoke --function-name "$1" --qualifier "$2" --cli-read-timeout 150 \
    --payload "fileb://$3" --output json "$4")" || return 1
  jq -r '.FunctionError // empty' <<<"$meta"
}

# The jq definitions for the events table's keys: pk = "<percent-encoded tenant>#<session_id>"
# (java.net.URLEncoder: "+" for a space, %XX for UTF-8 bytes). pk_tenant and pk_session take a pk.
# shellcheck disable=SC2016
JQ_PK_DEFS='
def hexval: ascii_downcase | explode | map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1];
def utf8_decode:
  reduce .[] as $x ({cps: [], cp: 0, need: 0};
    if .need > 0 then .cp = .cp * 64 + ($x % 64) | .need -= 1 | (if .need == 0 then .cps += [.cp] else . end)
    elif $x < 128 then .cps += [$x]
    elif $x >= 240 then .cp = $x % 8 | .need = 3
    elif $x >= 224 then .cp = $x % 16 | .need = 2
    else .cp = $x % 32 | .need = 1 end)
  | .cps | implode;
def urldecode:
  gsub("\\+"; " ")
  | [scan("%[0-9A-Fa-f]{2}|[^%]+|%") | if test("^%[0-9A-Fa-f]{2}$") then (.[1:] | hexval) else explode[] end]
  | utf8_decode;
def pk_tenant: split("#")[0] | urldecode;
def pk_session: split("#")[1:] | join("#");
def rebuild_request: {rebuild: {tenant: pk_tenant, session_id: pk_session}};
'

# rebuild_session FUNCTION QUALIFIER REQUEST WORKDIR: the documented rebuild of one session from its
# log; REQUEST is {"rebuild": {"tenant": ..., "session_id": ...}}. Prints the recorder's answer
# with the tenant; returns non-zero if it failed.
rebuild_session() {
  local fn="$1" qualifier="$2" request="$3" dir="$4" error
  printf '%s' "$request" >"$dir/rebuild-request.json"
  if ! error="$(invoke_function "$fn" "$qualifier" "$dir/rebuild-request.json" "$dir/rebuild-response.json")"; then
    warn "rebuild of $(jq -c '.rebuild' <<<"$request"): the invocation failed"
    return 1
  fi
  if [[ -n "$error" ]] || ! jq -e '.rebuilt' "$dir/rebuild-response.json" >/dev/null 2>&1; then
    warn "rebuild of $(jq -c '.rebuild' <<<"$request") failed${error:+ ($error)}: $(head -c 2000 "$dir/rebuild-response.json")"
    return 1
  fi
  if jq -e '.rebuilt.recorded_through_seq == 0' "$dir/rebuild-response.json" >/dev/null 2>&1; then
    # The recorder stores an empty session for a log without events: a wrong tenant or id?
    warn "$(jq -c '.rebuild' <<<"$request") has no events: check the tenant and the session id (the recorder stored an empty session)"
  fi
  jq -c --argjson req "$request" '{tenant: $req.rebuild.tenant} + .rebuilt' "$dir/rebuild-response.json"
}
