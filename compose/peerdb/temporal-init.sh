#!/bin/sh
# Runs in temporal-admin-tools: PeerDB tags its workflows with the MirrorName search attribute,
# which Temporal rejects unless it is registered. Registers it once, then idles (the health check
# runs tctl against this container).
set -u
attempt=0
until temporal operator search-attribute list >/dev/null 2>&1; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 60 ]; then
        echo "temporal is not answering; giving up" >&2
        exit 1
    fi
    sleep 2
done
if ! temporal operator search-attribute list | grep -qw MirrorName; then
    temporal operator search-attribute create --name MirrorName --type Text --namespace default
fi
exec tini -s -- sleep infinity
