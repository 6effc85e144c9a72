#!/usr/bin/env bash
# Installs what driftguard needs to build and test, from Debian bookworm packages. Idempotent: installs only what
# is missing. Runs apt-get as root, or through sudo.
# usage: scripts/install-deps.sh [--runtime]
#   --runtime  only what a built driftguard needs to run `lint` (the shared libraries it links, and git for
#              --changed-since / --staged): no compiler, no -dev package, no test tools, no PostgreSQL server
set -euo pipefail

if [ "${1:-}" = "--runtime" ]; then
  runtime=1
elif [ -z "${1:-}" ]; then
  runtime=0
else
  echo "install-deps: unknown argument $1 (usage: scripts/install-deps.sh [--runtime])" >&2
  exit 2
fi

# The runtime libraries of the binary (what the .deb's Depends: lists, docs/install.md): libpq, opened when the
# binary connects; libpg_query, RE2, toml++, libstdc++ and libpqxx are linked in (DRIFTGUARD_STATIC_DEPS, on by
# default; a build with it off needs libpg-query1504.0 libre2-9 libtomlplusplus3 libstdc++6 too).
runtime_packages=(libpq5 git)

packages=(
  build-essential cmake pkg-config git
  libpg-query-dev libpqxx-dev nlohmann-json3-dev libcli11-dev catch2 libre2-dev
  libtomlplusplus-dev   # driftguard.toml
  postgresql            # drift --shadow, and the tests' throwaway servers (initdb/pg_ctl; no service is started)
  postgresql-15-cron    # pg_cron for Supabase histories in --shadow (pgvector is not in bookworm; pgmq, pg_graphql,
                        # supabase_vault, pgsodium, pg_net ship only with Supabase's image: see docs/supabase.md)
  python3-jsonschema    # tests: validates the SARIF output against the SARIF 2.1.0 schema
  zsh fish man-db groff-base  # tests: the generated completions run in each shell; the man page renders
  pre-commit            # tests: the pre-commit framework runs the hook of .pre-commit-hooks.yaml on a real repository
  python3-yaml          # tests: tests/action_run.py reads action.yml to run its steps as GitHub does
  ccache                # scripts/build.sh: rebuilds (and the release test's build of a clone) reuse the objects
  clang                 # scripts/fuzz.sh: the libFuzzer targets of fuzz/
)

# Prisma's schema engine, the oracle of the Prisma tests, runs on node and installs itself with npm (a node from
# another source, such as NodeSource's package, which bundles npm, is kept).
if [ "$runtime" = 1 ]; then
  packages=("${runtime_packages[@]}")
elif ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
    SUDO=sudo
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Prisma's schema engine (../shared/tools/prisma-engine, pinned packages from the npm registry) installs itself
# into ~/.cache on first use: warm that cache here, so that the tests find it ready. Without ../shared beside the
# checkout the Prisma oracle tests are skipped, and so is this.
engine="$(cd "$(dirname "$0")/.." && pwd)/../shared/tools/prisma-engine"
if [ "$runtime" = 0 ] && [ -x "$engine" ]; then
  rc=0
  "$engine" >/dev/null 2>&1 || rc=$?  # without arguments: installs, then prints its usage (exit 64)
  if [ "$rc" -ne 64 ]; then
    echo "install-deps: could not install Prisma's schema engine ($engine exited $rc; needs node, npm and the npm registry)" >&2
    exit 2
  fi
fi

# Microsoft's SARIF multitool (a self-contained Linux binary in the npm registry, pinned): the tests check the SARIF
# output against its GitHub rules (what code scanning's upload requires) and its SARIF rules.
multitool="$HOME/.cache/driftguard/sarif-multitool"
if [ "$runtime" = 0 ] && [ ! -x "$multitool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  echo "install-deps: installing the SARIF multitool (npm: @microsoft/sarif-multitool-linux@5.7.0)" >&2
  if ! npm install --prefix "$multitool" --no-audit --no-fund --loglevel=error \
      @microsoft/sarif-multitool-linux@5.7.0 >/dev/null; then
    echo "install-deps: could not install the SARIF multitool (needs npm and the npm registry)" >&2
    exit 2
  fi
fi
