#!/usr/bin/env bash
# Installs what driftguard needs to build and test, from Debian bookworm packages. Idempotent: installs only what
# is missing. Runs apt-get as root, or through sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpg-query-dev libpqxx-dev nlohmann-json3-dev libcli11-dev catch2 libre2-dev
  libtomlplusplus-dev   # driftguard.toml
  postgresql            # drift --shadow, and the tests' throwaway servers (initdb/pg_ctl; no service is started)
  postgresql-15-cron    # pg_cron for Supabase histories in --shadow (pgvector is not in bookworm; pgmq, pg_graphql,
                        # supabase_vault, pgsodium, pg_net ship only with Supabase's image: see docs/supabase.md)
  python3-jsonschema    # tests: validates the SARIF output against the SARIF 2.1.0 schema
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
