#!/usr/bin/env bash
# The main job, without Docker: embedded PostgreSQL 17 -> EchoDB (native engine) -> local ClickHouse engine (chDB).
# Builds what it needs (Maven dependencies, the chDB npm package), loads the sample tables, shows them mirrored,
# then keeps running until Ctrl-C. Needs a JDK 17+ and Node.js 18+ with npm.
set -euo pipefail
cd "$(dirname "$0")"
echo "building EchoDB (first run downloads dependencies; a few minutes) ..."
./mvnw -q -B install -DskipTests -Dmaven.javadoc.skip=true
exec ./mvnw -q -B -pl echodb-runner exec:java@local-stack
