#!/usr/bin/env bash
# Checks docker-compose.temporal.yml:
#   1. `docker compose config -q` validates it, when the docker CLI with the compose
#      plugin is installed (skipped with a message otherwise; no Docker engine needed);
#   2. every custom search attribute defined in src/contract/search-attributes.ts
#      (defineSearchAttributeKey('Name', SearchAttributeType.X)) is registered by the
#      compose file's admin-tools job (a `create Name Type` line), with the same type.
# Exit 0 when both pass (or 1 is skipped), 1 otherwise.
set -euo pipefail

cd "$(dirname "$0")/.."

COMPOSE_FILE=docker-compose.temporal.yml
MESSAGES=src/contract/search-attributes.ts
status=0

if [[ ! -f $COMPOSE_FILE ]]; then
  echo "check-compose: $COMPOSE_FILE not found" >&2
  exit 1
fi

# 1. Compose syntax and schema.
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  if docker compose -f "$COMPOSE_FILE" config -q; then
    echo "check-compose: docker compose config: ok"
  else
    echo "check-compose: docker compose config rejected $COMPOSE_FILE" >&2
    status=1
  fi
else
  echo "check-compose: config validation skipped: docker compose not installed"
fi

# 2. Search attributes: every name in src/contract/search-attributes.ts must be created by the compose
#    file's admin-tools job (`create <Name> <Type>` lines).
if [[ ! -f $MESSAGES ]]; then
  echo "check-compose: $MESSAGES not found" >&2
  exit 1
fi
mapfile -t names < <(grep -oE "defineSearchAttributeKey\(\s*['\"][A-Za-z0-9_]+['\"]" "$MESSAGES" |
  sed -E "s/.*['\"]([A-Za-z0-9_]+)['\"]$/\1/" | sort -u)
if [[ ${#names[@]} -eq 0 ]]; then
  echo "check-compose: no defineSearchAttributeKey('Name' ...) found in $MESSAGES" >&2
  exit 1
fi
missing=0
for name in "${names[@]}"; do
  line=$(grep -E "^[[:space:]]*create[[:space:]]+${name}[[:space:]]" "$COMPOSE_FILE" | head -n 1 || true)
  if [[ -z $line ]]; then
    echo "check-compose: search attribute '$name' (from $MESSAGES) is not registered in $COMPOSE_FILE" >&2
    missing=1
    continue
  fi
  # Also compare the type (SearchAttributeType.KEYWORD vs `Keyword`), case-insensitively.
  want=$(grep -oE "defineSearchAttributeKey\(\s*['\"]${name}['\"]\s*,\s*SearchAttributeType\.[A-Z_]+" "$MESSAGES" |
    head -n 1 | sed -E 's/.*SearchAttributeType\.//' | tr -d '_' | tr '[:upper:]' '[:lower:]' || true)
  got=$(awk '{print $3}' <<<"$line" | tr '[:upper:]' '[:lower:]')
  if [[ -n $want && $want != "$got" ]]; then
    echo "check-compose: search attribute '$name' has type '$got' in $COMPOSE_FILE but '$want' in $MESSAGES" >&2
    missing=1
  fi
done
if [[ $missing -eq 0 ]]; then
  echo "check-compose: all ${#names[@]} search attributes from $MESSAGES are registered, with matching types"
else
  status=1
fi

exit "$status"
