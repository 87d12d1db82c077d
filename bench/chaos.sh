#!/usr/bin/env bash
# EchoDB schema chaos, long mode: the randomized differential test (SchemaChaosTest) runs rounds of seeded DML, DDL
# and faults against real EchoDB workers, PostgreSQL 17 and ClickHouse until the time is up, checking invariants
# I1-I3 after every round, then prints a summary table. It stops at the first round with a violation and prints the
# seed, the round, what differs and the statements that touched the table.
#
#   bench/chaos.sh [minutes] [seed] [ops]
#
# minutes  how long to run rounds (default 30)
# seed     replay a seed (default: a random one, printed first)
# ops      operation families (default: the default set), e.g. "default,+partitions" or "insert,update,restart";
#          the families and which are off by default (known bugs) are listed in ChaosOp.java
#
# CHAOS_CAPTURE=catalog (environment) runs the workers with DDL_CAPTURE=catalog.
#
# Output: target/chaos/summary.txt and target/chaos/chaos-<seed>.sql (every statement) under echodb-runner/, the full
# log in echodb-runner/target/surefire-reports/io.echodb.runner.chaos.SchemaChaosTest-output.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${1:-30}
seed=${2:-}
ops=${3:-}

mvn_cmd=(mvn)
if [ -x ./mvnw ]; then mvn_cmd=(./mvnw); fi
echo "building (${mvn_cmd[*]} -q install -DskipTests) ..."
if ! "${mvn_cmd[@]}" -q install -DskipTests; then
  echo "the build failed; see why with: ${mvn_cmd[*]} install -DskipTests" >&2
  exit 1
fi

args=(-pl echodb-runner test -Dtest=SchemaChaosTest -Dsurefire.failIfNoSpecifiedTests=false "-Dchaos.minutes=$minutes")
if [ -n "$seed" ]; then args+=("-Dchaos.seed=$seed"); fi
if [ -n "$ops" ]; then args+=("-Dchaos.ops=$ops"); fi
# CHAOS_CAPTURE=catalog: DDL captured by the catalog sweep (DDL_CAPTURE=catalog) instead of event triggers
if [ -n "${CHAOS_CAPTURE:-}" ]; then args+=("-Dchaos.capture=$CHAOS_CAPTURE"); fi

out=echodb-runner/target/surefire-reports/io.echodb.runner.chaos.SchemaChaosTest-output.txt
summary=echodb-runner/target/chaos/summary.txt
rm -f "$out" "$summary"
echo "running schema chaos for $minutes minute(s): ${mvn_cmd[*]} ${args[*]}"
# progress (the test's output goes to a file): the seed, then one line per round
tail -n +1 -F "$out" 2>/dev/null | grep --line-buffered -E "^schema chaos|round [0-9]+ passed" &
progress=$!
set +e
"${mvn_cmd[@]}" -q "${args[@]}"
status=$?
set -e
sleep 1
kill "$progress" 2>/dev/null || true
echo
if [ -f "$summary" ]; then cat "$summary"; fi
if [ "$status" -ne 0 ]; then
  echo "schema chaos FAILED (exit $status): the violations are printed above; full log: $out" >&2
fi
exit "$status"
