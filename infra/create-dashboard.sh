#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Creates (or replaces) the CloudWatch dashboard of a sessionlog stack: infra/dashboard.json with
# the stack's resource names filled in, then `aws cloudwatch put-dashboard`.
set -euo pipefail

PROG="infra/create-dashboard.sh"
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage() {
  cat <<EOF
Usage: infra/create-dashboard.sh [options]

Fills infra/dashboard.json's placeholders (\${Name}) with the stack's resources (the HTTP API,
the four functions, the tables, the dead-letter queue, the log groups, the alarms) and puts the
dashboard. Run it again after a deployment that replaced a resource; it overwrites the dashboard.

Options:
$COMMON_OPTIONS_HELP
  --name NAME        the dashboard's name (default: the stack's name)
  --body FILE        the dashboard template (default: infra/dashboard.json)
  --print            print the filled-in dashboard body instead of putting it
EOF
}

NAME=""
BODY="$INFRA_DIR/dashboard.json"
PRINT=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --env | --stack | --region | --profile | --name | --body)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --name) NAME="$2" ;;
        --body) BODY="$2" ;;
        *) common_option "$1" "$2" ;;
      esac
      shift 2
      ;;
    --print) PRINT=true; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

need aws jq
[[ -f "$BODY" ]] || die "no dashboard template at $BODY"
jq -e 'has("widgets")' "$BODY" >/dev/null 2>&1 || die "$BODY is not a dashboard body (JSON with \"widgets\")"
resolve_stack
require_session
NAME="${NAME:-$STACK}"
[[ "$NAME" =~ ^[A-Za-z0-9_-]{1,255}$ ]] || die "a dashboard name has letters, digits, - and _ only: \"$NAME\""

RESOURCES="$(stack_resources)"
value() {
  local id
  id="$(resource_id "$RESOURCES" "$1")"
  [[ -n "$id" ]] || die "stack $STACK has no resource $1: is it a sessionlog stack (template.yaml)?"
  printf '%s' "$id"
}
QUEUE_URL="$(value RecorderDeadLetterQueue)"

ALARM_NAMES=()
while IFS= read -r alarm; do
  [[ -n "$alarm" ]] && ALARM_NAMES+=("$alarm")
done < <(jq -r '.[] | select(.type == "AWS::CloudWatch::Alarm") | .physical' <<<"$RESOURCES")
ALARM_ARNS="[]"
if [[ ${#ALARM_NAMES[@]} -gt 0 ]]; then
  ALARM_ARNS="$(aws_cli cloudwatch describe-alarms --alarm-names "${ALARM_NAMES[@]}" --output json |
    jq -c '[(.MetricAlarms // [])[], (.CompositeAlarms // [])[] | .AlarmArn] | sort')"
fi

LOG_SOURCES=""
for group in AppendLogGroup QueryLogGroup RecorderLogGroup ScheduledLogGroup; do
  LOG_SOURCES="${LOG_SOURCES:+$LOG_SOURCES | }SOURCE '$(value "$group")'"
done

VALUES="$(jq -n \
  --arg StackName "$STACK" \
  --arg Region "$REGION" \
  --arg ApiId "$(value HttpApi)" \
  --arg AppendFunction "$(value AppendFunction)" \
  --arg QueryFunction "$(value QueryFunction)" \
  --arg RecorderFunction "$(value RecorderFunction)" \
  --arg ScheduledFunction "$(value ScheduledFunction)" \
  --arg EventsTable "$(value EventsTable)" \
  --arg SessionsTable "$(value SessionsTable)" \
  --arg DeadLetterQueueName "${QUEUE_URL##*/}" \
  --arg ApiAccessLogGroup "$(value ApiAccessLogGroup)" \
  --arg LogSources "$LOG_SOURCES" \
  --argjson AlarmArns "$ALARM_ARNS" \
  '$ARGS.named')"

# A string that is exactly one placeholder takes the value as it is (an array for AlarmArns);
# placeholders inside a longer string are replaced by text.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
jq --argjson v "$VALUES" '
  walk(if type == "string" then
         (if test("^\\$\\{[A-Za-z]+\\}$") and ($v[.[2:-1]] != null) then $v[.[2:-1]]
          else gsub("\\$\\{(?<k>[A-Za-z]+)\\}"; ($v[.k] // "${\(.k)}") | tostring) end)
       else . end)' "$BODY" >"$WORK/body.json"
# shellcheck disable=SC2016 # a literal ${
LEFT="$(grep -o '\${[A-Za-z]*}' "$WORK/body.json" | sort -u | tr '\n' ' ' || true)"
[[ -z "$LEFT" ]] || die "$BODY has placeholders this script does not know: $LEFT"

if [[ "$PRINT" == true ]]; then
  cat "$WORK/body.json"
  exit 0
fi

RESULT="$(aws_cli cloudwatch put-dashboard --dashboard-name "$NAME" --dashboard-body "file://$WORK/body.json" --output json)"
if jq -e '(.DashboardValidationMessages // []) | length > 0' <<<"$RESULT" >/dev/null; then
  warn "CloudWatch accepted the dashboard with these messages:"
  jq -r '.DashboardValidationMessages[] | "  \(.DataPath // ""): \(.Message)"' <<<"$RESULT" >&2
fi
info "dashboard $NAME of stack $STACK is up to date"
info "https://console.aws.amazon.com/cloudwatch/home?region=$REGION#dashboards/dashboard/$NAME"
