#!/usr/bin/env bash
# Validates compose/docker-compose.yml without starting anything (no Docker engine needed).
#
#  1. Docker Compose itself, when installed: `docker compose config` (v2 plugin) or Debian's `docker-compose config`
#     (1.29), for the default stack, the peerdb profile, and MIRROR_ENGINE=peerdb. Nothing is installed by this script;
#     on Debian: apt-get install --no-install-recommends docker-compose
#  2. Always: compose/tools/ComposeCheck.java, a structural check (services, health checks, profiles, ports, volumes,
#     documented variables) run with the JDK and SnakeYAML from the local Maven repository (fetched through Maven
#     if missing; SNAKEYAML_JAR=/path/to/snakeyaml.jar to use another copy).
#
# Exit status 0 when every validator that ran passed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
compose_file="$here/docker-compose.yml"
env_file="$here/.env.example"
snakeyaml_version="2.4"
ran=()

compose_cmd=()
if docker compose version >/dev/null 2>&1; then
    compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose_cmd=(docker-compose)
fi

if [ ${#compose_cmd[@]} -gt 0 ]; then
    echo "validate: ${compose_cmd[*]} config ($("${compose_cmd[@]}" version --short 2>/dev/null || echo '?'))"
    "${compose_cmd[@]}" --env-file "$env_file" -f "$compose_file" config -q
    "${compose_cmd[@]}" --env-file "$env_file" -f "$compose_file" --profile peerdb config -q
    rendered="$(MIRROR_ENGINE=peerdb "${compose_cmd[@]}" --env-file "$env_file" -f "$compose_file" --profile peerdb config)"
    engines="$(grep -c 'MIRROR_ENGINE: peerdb' <<<"$rendered" || true)"
    if [ "$engines" != "2" ]; then
        echo "validate: MIRROR_ENGINE=peerdb should switch both workers, switched $engines" >&2
        exit 1
    fi
    ran+=("${compose_cmd[*]} config")
else
    echo "validate: Docker Compose not installed; structural check only"
fi

jar="${SNAKEYAML_JAR:-$HOME/.m2/repository/org/yaml/snakeyaml/$snakeyaml_version/snakeyaml-$snakeyaml_version.jar}"
if [ ! -f "$jar" ]; then
    echo "validate: fetching SnakeYAML $snakeyaml_version into the local Maven repository"
    mvn_cmd=mvn
    [ -x "$root/mvnw" ] && mvn_cmd="$root/mvnw"
    "$mvn_cmd" -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
        -Dartifact="org.yaml:snakeyaml:$snakeyaml_version" -Dtransitive=false >/dev/null
fi
if [ ! -f "$jar" ]; then
    echo "validate: SnakeYAML not found at $jar (set SNAKEYAML_JAR)" >&2
    exit 1
fi
java -cp "$jar" "$here/tools/ComposeCheck.java" "$compose_file" "$env_file" \
    "$root/echodb-runner/src/main/java/io/echodb/runner/config/ConfigKeys.java"
ran+=("ComposeCheck")

echo "validate: passed (${ran[*]})"
