#!/usr/bin/env bash
# Cuts a release locally (docs/install.md, "Releases"): tags HEAD, builds the packages from the tag and writes their
# checksums. Nothing is pushed or uploaded: the script ends by printing the commands that publish.
# usage: scripts/release.sh VERSION [--out DIR]
#   VERSION    vMAJOR.MINOR.PATCH (e.g. v0.2.0): the annotated tag, and what `driftguard --version` reports
#   --out DIR  where the packages go (default: dist/VERSION/)
# Writes DIR/driftguard_<MAJOR.MINOR.PATCH>_<arch>.deb, DIR/driftguard-<MAJOR.MINOR.PATCH>-linux-<arch>.tar.gz
# (scripts/package.sh) and DIR/SHA256SUMS. Refuses (exit 2) a malformed VERSION, a tag that exists and a working
# tree with changes or untracked files; when the build fails, the tag is deleted again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
usage="usage: scripts/release.sh VERSION [--out DIR] (VERSION: vMAJOR.MINOR.PATCH)"
version="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    -*) echo "release.sh: unknown option $1; $usage" >&2; exit 2 ;;
    *) [ -z "$version" ] || { echo "release.sh: one VERSION only; $usage" >&2; exit 2; }
       version=$1; shift ;;
  esac
done
if ! [[ "$version" =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
  echo "release.sh: '$version' is not a version like v0.2.0; $usage" >&2
  exit 2
fi
cd "$root"
if git rev-parse -q --verify "refs/tags/$version" >/dev/null; then
  echo "release.sh: tag $version exists (at $(git rev-parse --short "$version^{commit}"))" >&2
  exit 2
fi
# The packages must be what the tag names: no local change may go into them.
if [ -n "$(git status --porcelain)" ]; then
  echo "release.sh: the working tree has changes or untracked files; commit or remove them first:" >&2
  git status --short >&2
  exit 2
fi
out=${out:-$root/dist/$version}
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -n "$(ls -A "$out")" ]; then
  echo "release.sh: $out is not empty" >&2
  exit 2
fi

# A build tree of its own. The version is given, not described: another tag on the same commit cannot change it.
build=$(mktemp -d "$root/build-release.XXXXXX")
tagged=0
trap 'rm -rf "$build"; [ "$tagged" = 1 ] || git tag -d "$version" >/dev/null' EXIT
git tag -a "$version" -m "driftguard $version"
"$root/scripts/build.sh" --release "$build" -DDRIFTGUARD_TESTS=OFF -DDRIFTGUARD_VERSION="$version" >&2
reported=$("$build/cli/driftguard" --version)
if [ "$reported" != "driftguard $version" ]; then
  echo "release.sh: the built binary reports '$reported', not 'driftguard $version'" >&2
  exit 1
fi
"$root/scripts/package.sh" --build "$build" --out "$out" >/dev/null
(cd "$out" && sha256sum -- *.deb *.tar.gz > SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
tagged=1

echo "Release $version: tag $version at $(git rev-parse --short HEAD), packages in $out:"
(cd "$out" && ls -1)
cat <<EOF
Nothing is published yet. To publish (docs/install.md, "Releases"):
  git push origin $version
  gh release create $version --title "driftguard $version" $out/*.deb $out/*.tar.gz $out/SHA256SUMS
  docker build -t ghcr.io/driftguard/driftguard:${version#v} --build-arg DRIFTGUARD_VERSION=$version . && docker push ghcr.io/driftguard/driftguard:${version#v}
EOF
