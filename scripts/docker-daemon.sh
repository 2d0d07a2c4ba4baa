#!/usr/bin/env bash
# Starts a Docker daemon for the tests when none answers, the way this machine can run one: vfs storage, no
# iptables, no bridge. `start` prints nothing but waits until the daemon answers; `stop` stops it only if `start`
# started it (its pid is kept in target/dockerd.pid).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
pidfile=target/dockerd.pid
mkdir -p target

case "${1:-}" in
  start)
    if docker info >/dev/null 2>&1; then
      echo "docker-daemon: a daemon already answers; using it"
      exit 0
    fi
    dockerd=$(command -v dockerd || echo /usr/sbin/dockerd)
    echo "docker-daemon: starting $dockerd (vfs, no iptables, no bridge)"
    nohup "$dockerd" --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
      --host unix:///var/run/docker.sock > target/dockerd.log 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 60); do
      if docker info >/dev/null 2>&1; then
        echo "docker-daemon: ready"
        exit 0
      fi
      sleep 1
    done
    echo "docker-daemon: the daemon did not answer within 60 s; see target/dockerd.log" >&2
    tail -20 target/dockerd.log >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      rm -f "$pidfile"
      echo "docker-daemon: stopped the daemon it started"
    fi
    ;;
  *)
    echo "usage: scripts/docker-daemon.sh start|stop" >&2
    exit 2
    ;;
esac
