#!/usr/bin/env bash
# Installs the system packages the tests need (Debian): Chromium for the monitor-page browser test,
# ZooKeeper, Redis and nginx for the infrastructure tests (scripts/infra), Prometheus (with promtool) for the
# observability test, python3-websockets and python3-msgpack for the Python client's tests. Java comes with the machine.
# Idempotent: installs only what is missing. Needs root (or sudo).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
# The plain `zookeeper` package only ships jars; `zookeeperd` would start a system service on 0.0.0.0:2181.
[ -f /usr/share/java/zookeeper.jar ] || need+=(zookeeper)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || need+=(nginx)
# The Python client (clients/python) runs on Debian's own python3 with its websockets and msgpack packages.
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
/usr/bin/python3 -c 'import msgpack' >/dev/null 2>&1 || need+=(python3-msgpack)
# Debian's prometheus would start a system service on :9090; policy-rc.d below prevents it. Ships promtool too.
{ [ -x /usr/bin/prometheus ] && command -v promtool >/dev/null 2>&1; } || need+=(prometheus)
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${need[*]}" >&2
$SUDO apt-get update -qq
# policy-rc.d keeps Debian's maintainer scripts from starting redis/nginx as system services:
# the tests start their own instances on ports they choose and own by PID.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
# another install may hold the dpkg lock for a while: retry rather than fail
for attempt in 1 2 3 4 5 6; do
  if DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; then exit 0; fi
  echo "install-deps: apt-get failed (attempt $attempt), retrying in 10 s" >&2
  sleep 10
done
exit 1
