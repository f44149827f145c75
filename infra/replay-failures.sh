#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Replays the recorder's failed batches: each object Lambda wrote to the failure bucket holds the
# whole invocation record, the failed DynamoDB stream event included (its "payload"). This reads
# the object and invokes the recorder with that event; the recorder folds by seq and skips what is
# folded already, so a replay is safe to repeat. An object whose replay succeeded is deleted
# (--keep keeps it).
set -euo pipefail

PROG="infra/replay-failures.sh"
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage() {
  cat <<USAGE
Usage: infra/replay-failures.sh [options] [KEY ...]

Replays the failed batches in the recorder's failure bucket (all of them, or the KEYs given) and
prints one line per object: its key, and "replayed" or why not.

Options:
$COMMON_OPTIONS_HELP
  --bucket NAME       the failure bucket (default: the stack's output RecorderFailureBucketName)
  --function NAME     the recorder (default: the stack's output RecorderFunctionName)
  --qualifier ALIAS   the version or alias to invoke (default: live)
  --keep              keep each object after its replay
  --dry-run           list what would be replayed, invoke nothing
USAGE
}

BUCKET=""
FUNCTION=""
QUALIFIER="live"
KEEP=false
DRY_RUN=false
KEYS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --keep) KEEP=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    --env | --stack | --region | --profile | --bucket | --function | --qualifier)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --bucket) BUCKET="$2" ;;
        --function) FUNCTION="$2" ;;
        --qualifier) QUALIFIER="$2" ;;
        *) common_option "$1" "$2" ;;
      esac
      shift 2
      ;;
    -*) usage_error "unknown option: $1" ;;
    *) KEYS+=("$1"); shift ;;
  esac
done

need aws jq
require_session
if [[ -z "$BUCKET" || -z "$FUNCTION" ]]; then
  resolve_stack
  outputs="$(stack_outputs)"
  [[ -n "$BUCKET" ]] || BUCKET="$(output_value "$outputs" RecorderFailureBucketName)"
  [[ -n "$FUNCTION" ]] || FUNCTION="$(output_value "$outputs" RecorderFunctionName)"
  [[ -n "$BUCKET" && -n "$FUNCTION" ]] || die "stack $STACK lacks the outputs RecorderFailureBucketName and RecorderFunctionName"
fi
if [[ ${#KEYS[@]} -eq 0 ]]; then
  mapfile -t KEYS < <(aws_cli s3api list-objects-v2 --bucket "$BUCKET" --query 'Contents[].Key' --output json | jq -r '.[]?')
fi
if [[ ${#KEYS[@]} -eq 0 ]]; then
  info "no failed batches in $BUCKET"
  exit 0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failed=0
for key in "${KEYS[@]}"; do
  aws_cli s3 cp "s3://$BUCKET/$key" "$WORK/record.json" --only-show-errors
  # The invocation record's payload is the stream event the recorder failed (a JSON string or object).
  payload='.payload | if type == "string" then fromjson else . end'
  if ! jq -e "$payload | .Records | length > 0" "$WORK/record.json" >/dev/null 2>&1; then
    warn "$key: not a failed stream batch (no payload with Records)"
    failed=$((failed + 1))
    continue
  fi
  jq -c "$payload" "$WORK/record.json" >"$WORK/event.json"
  if [[ "$DRY_RUN" == true ]]; then
    echo "$key: would replay $(jq '.Records | length' "$WORK/event.json") records"
    continue
  fi
  error=""
  if ! error="$(invoke_function "$FUNCTION" "$QUALIFIER" "$WORK/event.json" "$WORK/response.json")" || [[ -n "$error" ]] \
    || ! jq -e '(.batchItemFailures // []) | length == 0' "$WORK/response.json" >/dev/null 2>&1; then
    warn "$key: the recorder failed it again${error:+ ($error)}: $(head -c 1000 "$WORK/response.json" 2>/dev/null || true)"
    failed=$((failed + 1))
    continue
  fi
  [[ "$KEEP" == true ]] || aws_cli s3 rm "s3://$BUCKET/$key" --only-show-errors
  echo "$key: replayed"
done
[[ $failed -eq 0 ]] || die "$failed of ${#KEYS[@]} failed batches were not replayed (the recorder's log: infra/README.md, Alarms)"
