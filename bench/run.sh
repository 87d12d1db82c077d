#!/usr/bin/env bash
# EchoDB benchmark suite (docs/BENCHMARKS.md explains what it measures and how).
#
#   bench/run.sh [quick|full] [--only snapshot,cdc,latency,auto] [--no-docs] [--jfr]
#
# quick (default) finishes within about five minutes on a 2-core machine; full uses the sizes of the benchmark issue
# (5,000,000-row snapshot, 1,000,000 changes, 60 s per latency rate, 50 auto-mirrored tables) and takes longer.
# It builds the bench module (Maven profile "bench", not part of the default build), starts the same real services the
# tests use (embedded PostgreSQL 17, the local chDB-backed ClickHouse or whatever ECHODB_TEST_* points to), prints a
# markdown report and writes it into docs/BENCHMARKS.md (only the section of the mode). --jfr records every measured
# JVM with Java Flight Recorder (target/jfr) and adds the hottest frames to the report; BENCH_JFC=<file.jfc> records the
# orchestrator with other JFR settings (e.g. a copy of the JDK's profile.jfc with threshold 0 ms for jdk.SocketRead and
# jdk.ThreadPark, to see every blocking call).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

args=()
jfr=0
mode=quick
for a in "$@"; do
  case "$a" in
    --jfr) jfr=1 ;;
    quick|full|smoke) mode=$a; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
done

mvn_cmd=(mvn)
if [ -x ./mvnw ]; then mvn_cmd=(./mvnw); fi
echo "building the benchmark module (${mvn_cmd[*]} -Pbench -pl echodb-bench -am install -DskipTests) ..."
if ! "${mvn_cmd[@]}" -q -Pbench -pl echodb-bench -am install -DskipTests; then
  echo "the build failed; see why with: ${mvn_cmd[*]} -Pbench -pl echodb-bench -am install -DskipTests" >&2
  exit 1
fi

cd echodb-bench
mkdir -p target/bench-logs
jvm=(-Xmx2g "-Dbench.command=bench/run.sh $*" -Dorg.slf4j.simpleLogger.logFile=target/bench-logs/orchestrator.log)
if [ "$jfr" = 1 ]; then
  rm -rf target/jfr && mkdir -p target/jfr
  jvm+=("-Dbench.jfr.dir=$(pwd)/target/jfr"
        "-XX:StartFlightRecording=filename=$(pwd)/target/jfr-orchestrator.jfr,settings=${BENCH_JFC:-profile},dumponexit=true")
fi
# Run from a private copy of the classes and of EchoDB's jars, test-jars included (*-tests.jar: the test services):
# other builds may repackage or reinstall those while a run goes on. In the reactor build the class path names the
# modules' own target/*.jar (or target/classes, target/test-classes); from the local repository, .m2/.../io/echodb/...
rm -rf target/bench-run && mkdir -p target/bench-run/lib && cp -r target/classes target/bench-run/classes
cp="target/bench-run/classes"
IFS=":" read -r -a entries < target/bench.classpath || true  # the file has no final newline
n=0
for e in "${entries[@]}"; do
  case "$e" in
    */io/echodb/*|"$root"/echodb-*/target/*)
      n=$((n + 1))
      copy="target/bench-run/lib/$n-$(basename "$e")"  # numbered: module target/classes dirs share a basename
      cp -r "$e" "$copy" && cp="$cp:$copy" ;;
    *) cp="$cp:$e" ;;
  esac
done
set +e
java "${jvm[@]}" -cp "$cp" io.echodb.bench.Bench "${args[@]}" 2>&1 | tee "target/bench-logs/console-$mode.txt"
status=${PIPESTATUS[0]}
set -e
if [ "$jfr" = 1 ] && [ -f target/jfr-orchestrator.jfr ]; then
  echo
  echo "JFR of the orchestrator (snapshot, latency and auto-mirror phases run there):"
  java -cp "$cp" io.echodb.bench.JfrTop target/jfr-orchestrator.jfr 15
fi
echo "logs: $root/echodb-bench/target/bench-logs"
exit "$status"
