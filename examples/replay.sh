#!/usr/bin/env bash
# Replays a realistic phi-core agent run into a running sessionlog (./mvnw -Plocal) and shows the
# materialized sessions: an orchestrator session "demo" (a tool loop, a rejected input, a parallel
# group, a sub-agent spawn) and the sub-agent's own session "demo-researcher"; then forks "demo"
# after its first loop (seq 20) into "demo-retry" and appends to the fork only, to show both sessions.
# Usage: examples/replay.sh [API base URL, default http://localhost:8080] [tenant, default demo]
set -euo pipefail
api="${1:-http://localhost:8080}"
tenant="${2:-demo}"
here="$(cd "$(dirname "$0")" && pwd)"
for session in demo demo-researcher; do
  echo "POST $api/v1/sessions/$session/events"
  curl -sS -X POST "$api/v1/sessions/$session/events" -H "X-Tenant-Id: $tenant" \
       -H 'content-type: application/json' --data-binary "@$here/$session.json"
  echo
done
echo "waiting for the recorder (it polls the events stream) ..."
sleep 2
for session in demo demo-researcher; do
  echo "GET $api/v1/sessions/$session"
  curl -sS "$api/v1/sessions/$session" -H "X-Tenant-Id: $tenant"
  echo
done
# A fork: "demo" as it was after its first loop (seq 20), going on on its own. The same request again
# answers 200 with the same body, so a replay of this script keeps working.
echo "POST $api/v1/sessions/demo/fork"
curl -sS -X POST "$api/v1/sessions/demo/fork" -H "X-Tenant-Id: $tenant" -H 'content-type: application/json' \
     -d '{"new_session_id": "demo-retry", "at_seq": 20}'
echo
echo "POST $api/v1/sessions/demo-retry/events (to the fork only)"
curl -sS -X POST "$api/v1/sessions/demo-retry/events" -H "X-Tenant-Id: $tenant" -H 'content-type: application/json' \
     -d '{"events": [{"event_id": "retry-note-1", "event": {"type": "Note", "text": "a second try from seq 20"}}]}'
echo
echo "GET $api/v1/sessions/demo-retry/events?order=desc&limit=3 (the fork's newest three)"
curl -sS "$api/v1/sessions/demo-retry/events?order=desc&limit=3" -H "X-Tenant-Id: $tenant"
echo
echo "GET $api/v1/sessions/demo/head (the source is unchanged)"
curl -sS "$api/v1/sessions/demo/head" -H "X-Tenant-Id: $tenant"
echo
sleep 1
echo "GET $api/v1/sessions?forked_from=demo"
curl -sS "$api/v1/sessions?forked_from=demo" -H "X-Tenant-Id: $tenant"
echo
echo "GET $api/v1/sessions"
curl -sS "$api/v1/sessions" -H "X-Tenant-Id: $tenant"
echo
