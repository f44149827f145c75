#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds sessionlog and deploys template.yaml to an environment of samconfig.toml, through a
# change set that is checked before it runs: a change that would replace or delete a table, the
# archive, checkpoint or failure bucket (their data with them) stops the deployment.
#
# Why no `sam build`: template.yaml's CodeUri is target/function.zip, the deployment package that
# `./mvnw package` makes (Quarkus' Lambda packaging, one zip for the six functions). sam deploy
# uploads a prebuilt zip as it is. `sam build` would rebuild the code with SAM's own Maven workflow
# (or fail on a CodeUri that is a file) and write .aws-sam/build/template.yaml, which sam deploy
# would then prefer to template.yaml; so this script passes --template-file explicitly too.
set -euo pipefail

PROG="infra/deploy.sh"
# shellcheck source=lib/common.sh
source "$(cd "$(dirname "$0")" && pwd)/lib/common.sh"

usage() {
  cat <<EOF
Usage: infra/deploy.sh [options]

Builds target/function.zip (./mvnw -B package -DskipTests), lints template.yaml (sam validate
--lint), creates a CloudFormation change set with sam deploy, refuses one that replaces or deletes
stored data, asks for confirmation (not with --ci), executes it and prints the stack's outputs.

Options:
$COMMON_OPTIONS_HELP
  --issuer URL        JwtIssuer: the https issuer of the JWTs the API accepts
                      (default: \$SESSIONLOG_JWT_ISSUER, else \$JWT_ISSUER)
  --audience LIST     JwtAudience: comma-separated audiences (app client ids)
                      (default: \$SESSIONLOG_JWT_AUDIENCE, else \$JWT_AUDIENCE)
  --alarm-email ADDR  AlarmEmail: address the alarms notify; "" for none
                      (default: \$SESSIONLOG_ALARM_EMAIL, else \$ALARM_EMAIL)
  --parameter K=V     any other template parameter (TenantClaim, IdleTimeout, LogRetentionDays,
                      ArchiveTransitionDays, ...); repeatable
  --ci                no questions: execute the change set without confirmation (also when the
                      environment variable CI is "true"); without it, the environment's
                      confirm_changeset in samconfig.toml decides (dev: no, default and prod: yes)
  --dry-run           create and show the change set, do not execute it
  --skip-build        deploy the target/function.zip that is there
  --allow-replacement execute even a change set that replaces or deletes a table, the archive
                      bucket, the checkpoint bucket or the failure bucket (their data is lost unless they are retained)

The first deployment of a stack needs the issuer and the audience. Later ones keep the stack's
previous value of every parameter that is not given.

Examples:
  JWT_ISSUER=https://cognito-idp.\$AWS_REGION.amazonaws.com/\$POOL_ID JWT_AUDIENCE=\$APP_CLIENT_ID \\
    infra/deploy.sh --env dev --alarm-email ops@example.com
  infra/deploy.sh --env prod --dry-run
  infra/deploy.sh --env prod --ci
EOF
}

ISSUER="${SESSIONLOG_JWT_ISSUER:-${JWT_ISSUER:-}}"
AUDIENCE="${SESSIONLOG_JWT_AUDIENCE:-${JWT_AUDIENCE:-}}"
ALARM_EMAIL_SET=false
if [[ -n "${SESSIONLOG_ALARM_EMAIL+x}" ]]; then
  ALARM_EMAIL="$SESSIONLOG_ALARM_EMAIL"
  ALARM_EMAIL_SET=true
elif [[ -n "${ALARM_EMAIL+x}" ]]; then
  ALARM_EMAIL_SET=true
fi
EXTRA_PARAMETERS=()
CI_MODE=false
if [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; then CI_MODE=true; fi
DRY_RUN=false
SKIP_BUILD=false
ALLOW_REPLACEMENT=false

while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --env | --stack | --region | --profile | --issuer | --audience | --alarm-email | --parameter)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --issuer) ISSUER="$2" ;;
        --audience) AUDIENCE="$2" ;;
        --alarm-email) ALARM_EMAIL="$2"; ALARM_EMAIL_SET=true ;;
        --parameter) EXTRA_PARAMETERS+=("$2") ;;
        *) common_option "$1" "$2" ;;
      esac
      shift 2
      ;;
    --ci) CI_MODE=true; shift ;;
    --dry-run) DRY_RUN=true; shift ;;
    --skip-build) SKIP_BUILD=true; shift ;;
    --allow-replacement) ALLOW_REPLACEMENT=true; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done

need aws sam jq
if [[ "$SKIP_BUILD" == false ]]; then need java; fi

# A parameter override is one word: SAM splits the list on whitespace and strips quotes.
check_value() {
  [[ "$2" =~ ^[^[:space:]\"\'\\]*$ ]] || die "$1 must not contain spaces, quotes or backslashes: \"$2\""
}
PARAMETERS=()
if [[ -n "$ISSUER" ]]; then
  [[ "$ISSUER" =~ ^https://[^[:space:]]+$ ]] || die "the JWT issuer must be an https URL (the authorizer fetches its keys from it): \"$ISSUER\""
  check_value JwtIssuer "$ISSUER"
  PARAMETERS+=("JwtIssuer=$ISSUER")
fi
if [[ -n "$AUDIENCE" ]]; then
  check_value JwtAudience "$AUDIENCE"
  PARAMETERS+=("JwtAudience=$AUDIENCE")
fi
if [[ "$ALARM_EMAIL_SET" == true ]]; then
  if [[ -n "$ALARM_EMAIL" ]]; then
    [[ "$ALARM_EMAIL" =~ ^[^@[:space:]]+@[^@[:space:]]+$ ]] || die "not an e-mail address: \"$ALARM_EMAIL\""
    PARAMETERS+=("AlarmEmail=$ALARM_EMAIL")
  else
    PARAMETERS+=("AlarmEmail=''")
  fi
fi
for p in ${EXTRA_PARAMETERS[@]+"${EXTRA_PARAMETERS[@]}"}; do
  [[ "$p" =~ ^[A-Za-z0-9]+=.*$ ]] || die "--parameter takes KEY=VALUE: \"$p\""
  check_value "${p%%=*}" "${p#*=}"
  PARAMETERS+=("$p")
done

resolve_stack
require_session
TEMPLATE="$ROOT_DIR/template.yaml"
[[ -f "$TEMPLATE" ]] || die "no template at $TEMPLATE"
info "stack $STACK (environment $ENV_NAME), account $ACCOUNT, region $REGION, as $CALLER"

SAM_COMMON=(--config-file "$SAMCONFIG" --config-env "$ENV_NAME" --template-file "$TEMPLATE" --region "$REGION")
if [[ -n "$PROFILE" ]]; then SAM_COMMON+=(--profile "$PROFILE"); fi

# --- the stack's state decides what is required -------------------------------------------------
STATUS="$(aws_cli cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || echo NONE)"
case "$STATUS" in
  NONE | REVIEW_IN_PROGRESS) FIRST_DEPLOY=true ;;
  ROLLBACK_COMPLETE)
    die "stack $STACK is in ROLLBACK_COMPLETE (its creation failed) and cannot be updated: see why with
  aws cloudformation describe-stack-events --stack-name $STACK --region $REGION
then delete it (aws cloudformation delete-stack --stack-name $STACK --region $REGION) and deploy again" ;;
  *_IN_PROGRESS) die "stack $STACK is busy ($STATUS): wait until it settles" ;;
  *) FIRST_DEPLOY=false ;;
esac
if [[ "$FIRST_DEPLOY" == true ]]; then
  [[ -n "$ISSUER" && -n "$AUDIENCE" ]] ||
    die "the first deployment of $STACK needs the JWT issuer and audience: --issuer/--audience or JWT_ISSUER/JWT_AUDIENCE (infra/README.md, Deploy)"
  info "stack $STACK does not exist yet: creating it"
else
  info "stack $STACK is $STATUS: updating it (parameters not given keep their values)"
fi

if ! grep -Eq '^[[:space:]]+DeletionPolicy:[[:space:]]*(Retain|RetainExceptOnCreate|Snapshot)' "$TEMPLATE"; then
  warn "template.yaml retains neither the tables nor the bucket (no DeletionPolicy: Retain): deleting the stack deletes the data; see infra/README.md, Upgrade"
fi

# --- build and lint -----------------------------------------------------------------------------
cd "$ROOT_DIR"
if [[ "$SKIP_BUILD" == false ]]; then
  info "building target/function.zip"
  ./mvnw -B package -DskipTests
fi
[[ -s target/function.zip ]] || die "no target/function.zip: build with ./mvnw -B package -DskipTests (or leave out --skip-build)"

info "sam validate --lint"
sam validate --lint "${SAM_COMMON[@]}"

# --- change set -----------------------------------------------------------------------------------
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DEPLOY_ARGS=("${SAM_COMMON[@]}" --stack-name "$STACK" --no-execute-changeset --no-confirm-changeset --no-fail-on-empty-changeset)
if [[ ${#PARAMETERS[@]} -gt 0 ]]; then DEPLOY_ARGS+=(--parameter-overrides "${PARAMETERS[@]}"); fi

info "creating the change set"
sam deploy "${DEPLOY_ARGS[@]}" 2>&1 | tee "$WORK/sam-deploy.log"

print_outputs() {
  info "outputs of $STACK:"
  aws_cli cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output table
}

if grep -q 'No changes to deploy' "$WORK/sam-deploy.log"; then
  info "no changes: $STACK is up to date"
  print_outputs
  exit 0
fi

CHANGE_SET="$(grep -Eo 'arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:[0-9]+:changeSet/[A-Za-z0-9-]+/[A-Za-z0-9-]+' "$WORK/sam-deploy.log" | tail -n 1 || true)"
if [[ -z "$CHANGE_SET" ]]; then
  # Not in sam's output (its wording may change): the newest change set that sam made.
  CHANGE_SET="$(aws_cli cloudformation list-change-sets --stack-name "$STACK" --output json |
    jq -r '[.Summaries[] | select((.ChangeSetName | startswith("samcli-deploy")) and .ExecutionStatus == "AVAILABLE")]
           | sort_by(.CreationTime) | last | .ChangeSetId // empty')"
fi
[[ -n "$CHANGE_SET" ]] || die "could not find the change set that sam deploy created (see its output above)"

aws_cli cloudformation describe-change-set --change-set-name "$CHANGE_SET" --output json >"$WORK/change-set.json"
info "change set $CHANGE_SET:"
jq -r '.Changes[].ResourceChange | "  \(.Action)\t\(.LogicalResourceId)\t\(.ResourceType)\treplacement: \(.Replacement // "-")"' "$WORK/change-set.json"

# Stored data: the two tables, the archive, checkpoint and failure buckets.
DANGEROUS="$(jq -r '
  ["EventsTable", "SessionsTable", "ArchiveBucket", "CheckpointBucket", "RecorderFailureBucket"] as $stateful
  | .Changes[].ResourceChange
  | select(.LogicalResourceId as $id | $stateful | index($id))
  | select(.Action == "Remove" or (.Action == "Modify" and (.Replacement == "True" or .Replacement == "Conditional")))
  | "\(.LogicalResourceId) (\(.Action), replacement: \(.Replacement // "-"))"' "$WORK/change-set.json")"
if [[ -n "$DANGEROUS" ]]; then
  if [[ "$ALLOW_REPLACEMENT" == true ]]; then
    warn "this change set replaces or deletes stored data, as --allow-replacement allows: $(echo "$DANGEROUS" | tr '\n' ' ')"
  else
    aws_cli cloudformation delete-change-set --change-set-name "$CHANGE_SET" >/dev/null 2>&1 || true
    die "this change set would replace or delete stored data: $(echo "$DANGEROUS" | tr '\n' ' ')
The change set was deleted. Undo the template change that causes it, or retain the resources
(DeletionPolicy/UpdateReplacePolicy: Retain) and migrate the data, then pass --allow-replacement."
  fi
fi

if [[ "$DRY_RUN" == true ]]; then
  info "dry run: the change set is not executed. Execute it with
  aws cloudformation execute-change-set --change-set-name $CHANGE_SET --region $REGION
or delete it with
  aws cloudformation delete-change-set --change-set-name $CHANGE_SET --region $REGION"
  exit 0
fi

# The environment's confirm_changeset (samconfig.toml) decides whether to ask, unless --ci.
if [[ "$CI_MODE" == false && "$(samconfig_value "$ENV_NAME" confirm_changeset)" != false ]]; then
  if [[ ! -t 0 ]]; then
    aws_cli cloudformation delete-change-set --change-set-name "$CHANGE_SET" >/dev/null 2>&1 || true
    die "no terminal to confirm on: pass --ci to deploy without confirmation, or --dry-run"
  fi
  read -r -p "Execute this change set on $STACK (account $ACCOUNT, $REGION)? [y/N] " answer
  if [[ ! "$answer" =~ ^[Yy]([Ee][Ss])?$ ]]; then
    aws_cli cloudformation delete-change-set --change-set-name "$CHANGE_SET" >/dev/null 2>&1 || true
    info "not deployed; the change set was deleted"
    exit 1
  fi
fi

# --- execute ----------------------------------------------------------------------------------------
info "executing; publishing new function versions with SnapStart takes a few minutes"
aws_cli cloudformation execute-change-set --change-set-name "$CHANGE_SET"
if [[ "$FIRST_DEPLOY" == true ]]; then WAITER=stack-create-complete; else WAITER=stack-update-complete; fi
if ! aws_cli cloudformation wait "$WAITER" --stack-name "$STACK"; then
  warn "the deployment of $STACK failed; the latest failures (newest first):"
  aws_cli cloudformation describe-stack-events --stack-name "$STACK" --output json |
    jq -r '[.StackEvents[] | select(.ResourceStatus | test("FAILED"))] | .[0:15][]
      | "  \(.Timestamp)  \(.LogicalResourceId)  \(.ResourceStatus)  \(.ResourceStatusReason // "")"' >&2 || true
  die "stack $STACK: $(aws_cli cloudformation describe-stacks --stack-name "$STACK" --query 'Stacks[0].StackStatus' --output text 2>/dev/null || echo unknown)"
fi

info "deployed $STACK"
print_outputs
if [[ "$FIRST_DEPLOY" == true && -n "${ALARM_EMAIL:-}" ]]; then
  info "confirm the subscription in the e-mail that SNS sent to $ALARM_EMAIL, or the alarms notify nobody"
fi
