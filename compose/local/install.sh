#!/usr/bin/env bash
# Installs the pinned chDB engine (npm ci) used by clickhouse-http.mjs.
# Idempotent: returns at once when node_modules already matches package-lock.json
# on this platform; parallel callers are serialized with flock when available.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install.sh: '$tool' not found; install Node.js >= 18 with npm" >&2
    exit 1
  fi
done

# What node_modules was installed from: the lockfile, the platform and the Node ABI.
wanted_stamp() {
  node -e '
    const { createHash } = require("crypto");
    const lock = require("fs").readFileSync("package-lock.json");
    const where = [process.platform, process.arch, process.versions.modules].join("/");
    process.stdout.write(createHash("sha256").update(lock).update(where).digest("hex"));'
}

stamp_file=node_modules/.echodb-install-stamp
up_to_date() {
  [[ -f "$stamp_file" && -f node_modules/chdb/package.json ]] && [[ "$(cat "$stamp_file")" == "$(wanted_stamp)" ]]
}

up_to_date && exit 0

if command -v flock >/dev/null 2>&1; then
  exec 9>"$here/.install.lock"
  flock 9
  up_to_date && exit 0 # someone else installed it while we waited
fi

echo "install.sh: installing chDB into $here/node_modules" >&2
npm ci --no-audit --no-fund --loglevel=error >&2

if ! node -e 'require("chdb")'; then
  echo "install.sh: chDB was installed but does not load on this platform" \
    "(prebuilt engines exist for linux x64/arm64 glibc and macOS x64/arm64)" >&2
  exit 1
fi

wanted_stamp >"$stamp_file"
echo "install.sh: chDB $(node -p 'require("chdb/package.json").version') ready" >&2
