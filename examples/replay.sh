#!/usr/bin/env bash
# Replays a realistic phi-core agent run into a running sessionlog (./mvnw -Plocal) and shows the
# materialized sessions: an orchestrator session "demo" (a tool loop, a rejected input, a parallel
# group, a sub-agent spawn) and the sub-agent's own session "demo-researcher".
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
echo "GET $api/v1/sessions"
curl -sS "$api/v1/sessions" -H "X-Tenant-Id: $tenant"
echo
