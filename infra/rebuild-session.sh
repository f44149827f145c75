#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Rebuilds materialized sessions from their logs: the recorder's documented rebuild,
# {"rebuild": {"tenant": ..., "session_id": ...}}, sent to the recorder's alias "live". The result
# equals what the stream would have built; the stored session is replaced (conditionally, so a
# concurrent stream batch is not lost). Safe to repeat.
set -euo pipefail

PROG="infra/rebuild-session.sh"
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage() {
  cat <<EOF
Usage: infra/rebuild-session.sh [options] TENANT SESSION_ID [TENANT SESSION_ID ...]
       infra/rebuild-session.sh [options] --from-file FILE
       infra/rebuild-session.sh [options] --pk PK [--pk PK ...]

Rebuilds each session from its whole log (DynamoDB and the S3 archive) and prints the recorder's
answer: {"tenant", "session_id", "recorded_through_seq", "loop_count"}.

Options:
$COMMON_OPTIONS_HELP
  --function NAME     the recorder (default: the stack's output RecorderFunctionName)
  --qualifier ALIAS   the version or alias to invoke (default: live)
  --from-file FILE    sessions to rebuild, one "TENANT<tab>SESSION_ID" a line ("-": stdin)
  --pk PK             a session by its events-table key, "<percent-encoded tenant>#<session_id>"
                      (as in the table, the stream and the logs); repeatable

A session of very many events may not fold within the recorder's 60 s timeout: see
infra/README.md, Rebuild a session.
EOF
}

FUNCTION=""
QUALIFIER="live"
REQUESTS=()
FILE=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --env | --stack | --region | --profile | --function | --qualifier | --from-file | --pk)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --function) FUNCTION="$2" ;;
        --qualifier) QUALIFIER="$2" ;;
        --from-file) FILE="$2" ;;
        --pk)
          [[ "$2" == *"#"* ]] || usage_error "a pk is \"<percent-encoded tenant>#<session_id>\": $2"
          need jq
          REQUESTS+=("$(jq -nc --arg pk "$2" "$JQ_PK_DEFS"'$pk | rebuild_request')")
          ;;
        *) common_option "$1" "$2" ;;
      esac
      shift 2
      ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ $# -ge 2 ]] || usage_error "a TENANT needs its SESSION_ID"
      need jq
      REQUESTS+=("$(jq -nc --arg t "$1" --arg s "$2" '{rebuild: {tenant: $t, session_id: $s}}')")
      shift 2
      ;;
  esac
done

need aws jq
if [[ -n "$FILE" ]]; then
  [[ "$FILE" == "-" || -f "$FILE" ]] || die "no file $FILE"
  while IFS=$'\t' read -r tenant session || [[ -n "$tenant" ]]; do
    [[ -z "$tenant" || "$tenant" == \#* ]] && continue
    [[ -n "$session" ]] || die "$FILE: a line without a tab and a session id: $tenant"
    REQUESTS+=("$(jq -nc --arg t "$tenant" --arg s "$session" '{rebuild: {tenant: $t, session_id: $s}}')")
  done < <(if [[ "$FILE" == "-" ]]; then cat; else cat "$FILE"; fi)
fi
[[ ${#REQUESTS[@]} -gt 0 ]] || usage_error "name at least one session"

require_session
if [[ -z "$FUNCTION" ]]; then
  resolve_stack
  FUNCTION="$(output_value "$(stack_outputs)" RecorderFunctionName)"
  [[ -n "$FUNCTION" ]] || die "stack $STACK has no output RecorderFunctionName: pass --function"
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failed=0
for request in "${REQUESTS[@]}"; do
  if ! rebuild_session "$FUNCTION" "$QUALIFIER" "$request" "$WORK"; then
    failed=$((failed + 1))
  fi
done
if [[ $failed -gt 0 ]]; then
  die "$failed of ${#REQUESTS[@]} rebuilds failed (the recorder's log: infra/README.md, Alarms)"
fi
info "rebuilt ${#REQUESTS[@]} sessions with $FUNCTION:$QUALIFIER"
