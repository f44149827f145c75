#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# sessionlog on LocalStack: starts LocalStack in Docker, waits until its DynamoDB (with streams) and
# S3 answer, then runs the local runner against it. The runner creates the tables from
# template.yaml and the bucket itself; the API is on http://localhost:8080 as with ./mvnw -Plocal.
#
# Recent LocalStack images need an auth token (LOCALSTACK_AUTH_TOKEN, from a LocalStack account):
# if it is set here it is passed into the container by name (docker run -e NAME), so its value
# never appears on a command line. Without one, such an image stops at start and this script
# shows its log.
set -euo pipefail

PROG="infra/localstack/bootstrap.sh"
# shellcheck source=../lib/common.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/common.sh"

usage() {
  cat <<EOF
Usage: infra/localstack/bootstrap.sh [options] [-- MAVEN_ARGS...]

Starts LocalStack (docker run, port 4566 on 127.0.0.1) unless it runs already, waits until it is
ready, then runs
  SESSIONLOG_DYNAMODB_ENDPOINT=http://localhost:PORT SESSIONLOG_S3_ENDPOINT=http://localhost:PORT ./mvnw -Plocal
Ctrl-C stops the runner, and the container if this script started it (unless --keep).

Options:
  --image IMAGE   the LocalStack image (default: \$LOCALSTACK_IMAGE, else localstack/localstack)
  --port PORT     the host port of LocalStack's edge endpoint (default 4566)
  --name NAME     the container's name (default sessionlog-localstack)
  --timeout S     seconds to wait for LocalStack to be ready (default 180)
  --start-only    start LocalStack, print the settings to use it, and leave it running
  --keep          leave LocalStack running when the runner stops
  --stop          stop (and so remove) the container, then exit
  -h, --help      this help

Environment: LOCALSTACK_AUTH_TOKEN is passed to the container if set (recent images need it).
Extra arguments after -- go to Maven (e.g. -- -DSESSIONLOG_API_PORT=8081).
LocalStack keeps no data once its container stops (persistence is not in its free edition).
EOF
}

IMAGE="${LOCALSTACK_IMAGE:-localstack/localstack}"
PORT=4566
NAME="sessionlog-localstack"
TIMEOUT=180
START_ONLY=false
KEEP=false
STOP=false
MAVEN_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --image | --port | --name | --timeout)
      [[ $# -ge 2 ]] || usage_error "$1 needs a value"
      case "$1" in
        --image) IMAGE="$2" ;;
        --port) PORT="$2" ;;
        --name) NAME="$2" ;;
        --timeout) TIMEOUT="$2" ;;
      esac
      shift 2
      ;;
    --start-only) START_ONLY=true; shift ;;
    --keep) KEEP=true; shift ;;
    --stop) STOP=true; shift ;;
    --) shift; MAVEN_ARGS=("$@"); break ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1 && "$PORT" -le 65535 ]] || usage_error "not a port: $PORT"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || usage_error "not a number of seconds: $TIMEOUT"

need docker curl jq
docker info >/dev/null 2>&1 ||
  die "the Docker daemon does not answer (docker info failed): start Docker, or use ./mvnw -Plocal, which needs no Docker"

container_state() {
  docker inspect --format '{{.State.Status}}' "$NAME" 2>/dev/null || echo none
}

if [[ "$STOP" == true ]]; then
  if [[ "$(container_state)" == none ]]; then
    info "no container $NAME"
  else
    docker stop "$NAME" >/dev/null
    docker rm "$NAME" >/dev/null 2>&1 || true
    info "stopped $NAME"
  fi
  exit 0
fi

ENDPOINT="http://localhost:$PORT"
HEALTH="http://127.0.0.1:$PORT/_localstack/health"
# Ready: DynamoDB (its streams come with it) and S3 available or running.
ready() {
  curl -fsS --max-time 3 "$HEALTH" 2>/dev/null |
    jq -e '[.services.dynamodb, .services.s3] | all(. == "available" or . == "running")' >/dev/null 2>&1
}

STARTED=false
cleanup() {
  if [[ "$STARTED" == true && "$KEEP" == false && "$START_ONLY" == false ]]; then
    info "stopping $NAME"
    docker stop "$NAME" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

case "$(container_state)" in
  running) info "LocalStack container $NAME is running already" ;;
  none)
    if ready; then
      info "a LocalStack answers at $ENDPOINT already (not container $NAME): using it"
    else
      if [[ -n "${LOCALSTACK_AUTH_TOKEN:-}" ]]; then
        info "LOCALSTACK_AUTH_TOKEN is set: passed to the container"
      else
        info "LOCALSTACK_AUTH_TOKEN is not set: images that need it stop at start (see their log below if so)"
      fi
      info "starting $IMAGE as $NAME on 127.0.0.1:$PORT"
      docker run -d --rm --name "$NAME" -p "127.0.0.1:$PORT:4566" -e LOCALSTACK_AUTH_TOKEN "$IMAGE" >/dev/null
      STARTED=true
    fi
    ;;
  *)
    info "starting the existing container $NAME ($(container_state))"
    docker start "$NAME" >/dev/null
    STARTED=true
    ;;
esac

info "waiting for LocalStack's DynamoDB and S3 at $ENDPOINT (at most ${TIMEOUT}s)"
waited=0
until ready; do
  if [[ "$STARTED" == true && "$(container_state)" != running ]]; then
    docker logs --tail 40 "$NAME" >&2 2>/dev/null || true
    die "LocalStack stopped (its log is above); with a recent image, set LOCALSTACK_AUTH_TOKEN or pass --image with an older tag"
  fi
  if [[ $waited -ge $TIMEOUT ]]; then
    docker logs --tail 40 "$NAME" >&2 2>/dev/null || true
    die "LocalStack was not ready after ${TIMEOUT}s: $(curl -sS --max-time 3 "$HEALTH" 2>&1 || true)"
  fi
  sleep 2
  waited=$((waited + 2))
done
info "LocalStack is ready: $(curl -fsS --max-time 3 "$HEALTH" | jq -c '{version, dynamodb: .services.dynamodb, s3: .services.s3}' 2>/dev/null || echo '?')"

if [[ "$START_ONLY" == true ]]; then
  cat <<EOF
LocalStack runs at $ENDPOINT (container $NAME; stop it with infra/localstack/bootstrap.sh --stop).
The local runner against it:
  SESSIONLOG_DYNAMODB_ENDPOINT=$ENDPOINT SESSIONLOG_S3_ENDPOINT=$ENDPOINT ./mvnw -Plocal
The AWS CLI against it (the runner works in us-east-1; LocalStack accepts any credentials):
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 aws --endpoint-url $ENDPOINT dynamodb list-tables
EOF
  exit 0
fi

cd "$ROOT_DIR"
info "running the local runner against LocalStack (Ctrl-C stops it)"
# Not exec: the EXIT trap stops the container afterwards.
SESSIONLOG_DYNAMODB_ENDPOINT="$ENDPOINT" SESSIONLOG_S3_ENDPOINT="$ENDPOINT" ./mvnw -Plocal ${MAVEN_ARGS[@]+"${MAVEN_ARGS[@]}"}
