#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock and is a single-node swarm manager.
# Idempotent: on a machine where both already hold it only asks the engine a few times. On a fresh
# Debian machine it installs Debian's docker.io and iptables, starts dockerd in the background
# with its log in $SWARMGATE_DOCKERD_LOG, and runs `docker swarm init`. Used by quickstart, the
# test command and the test bed (test/testbed/engine.ts), so all three agree on one engine.
#
#   scripts/engine.sh [--no-swarm] [--test-tools] [--bench-tools]
#     --no-swarm     stop once the engine answers (do not make it a swarm manager)
#     --test-tools   also install what the tests use: busybox-static, docker-registry,
#                    apache2-utils (htpasswd), openssl, tmux, iproute2 (ss, ip), and check
#                    that the engine is one the tests can use (a default bridge with IPv4, a
#                    single-node swarm advertising 127.0.0.1, no user namespace remapping)
#     --bench-tools  also install what the benchmark uses: openssh-server (the benchmark runs
#                    its own sshd on loopback; where systemd runs, the package starts one too)
set -euo pipefail

SOCKET=/var/run/docker.sock
PIDFILE=/var/run/docker.pid
LOG=${SWARMGATE_DOCKERD_LOG:-/var/log/swarmgate-dockerd.log}
START_TIMEOUT=${SWARMGATE_DOCKERD_START_TIMEOUT:-90}

swarm=1
test_tools=0
bench_tools=0
for arg in "$@"; do
  case "$arg" in
    --no-swarm) swarm=0 ;;
    --test-tools) test_tools=1 ;;
    --bench-tools) bench_tools=1 ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "engine.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "engine: $*" >&2; }
fail() { echo "engine: $*" >&2; exit 1; }

# Always the local socket: a DOCKER_HOST pointing through swarmgate, a DOCKER_CONTEXT or the TLS
# settings of some engine's tcp:// listener must not decide what "the engine" is.
local_docker() { env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_TLS DOCKER_HOST="unix://$SOCKET" docker "$@"; }
engine_answers() { command -v docker >/dev/null && local_docker info >/dev/null 2>&1; }

apt_updated=0
# install_missing "package:probe" ...: installs each package whose probe fails. A probe is a
# command name, or "dpkg" when only the package itself will do (busybox-static, because the
# dynamically linked busybox package provides the same /bin/busybox).
install_missing() {
  local missing=() spec pkg probe
  for spec in "$@"; do
    pkg=${spec%%:*} probe=${spec#*:}
    if [ "$probe" = dpkg ]; then
      dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    else
      command -v "$probe" >/dev/null || missing+=("$pkg")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || fail "missing ${missing[*]}; installing them needs root (run this as root, e.g. with sudo)."
  if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null; then
    fail "missing ${missing[*]}; this script installs Debian packages only. Install Docker Engine (with iptables) yourself, start it on $SOCKET, and run this again."
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ $apt_updated -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq >&2 || fail "apt-get update failed"
    apt_updated=1
  fi
  say "installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 || fail "apt-get install ${missing[*]} failed"
}

# The pid dockerd wrote, if that process still runs and is a dockerd (pids are reused).
running_dockerd_pid() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
}

# "pid: command line" of a dockerd that someone started with other flags (another --pidfile, no
# unix socket) on the default data root: a second dockerd would fail on that data root's lock.
foreign_dockerd() {
  local proc args
  for proc in /proc/[0-9]*; do
    [ "$(cat "$proc/comm" 2>/dev/null)" = dockerd ] || continue
    args=$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null) || continue
    case " $args" in *' --data-root'*|*' -g '*|*' --graph'*) continue ;; esac
    echo "${proc#/proc/}: $args"
    return 0
  done
  return 1
}

start_dockerd() {
  if [ "$(id -u)" -ne 0 ]; then
    [ -S "$SOCKET" ] && fail "the Docker engine on $SOCKET does not answer to $(id -un); run this as root (e.g. with sudo) or as a member of the docker group."
    fail "no Docker engine answers on $SOCKET and starting one needs root (run this as root, e.g. with sudo)."
  fi
  local pid other
  if pid=$(running_dockerd_pid); then
    say "dockerd (pid $pid) is running but not answering yet; waiting for it"
  elif other=$(foreign_dockerd); then
    fail "a dockerd runs (pid $other) but does not answer on $SOCKET; the tests use that socket: restart it with -H unix://$SOCKET among its -H flags (and leave DOCKER_HOST as you like: the tests ignore it)"
  else
    # Without systemd nothing mounts the cgroup hierarchies dockerd needs; Debian's own init
    # script for docker does this same step.
    if ! awk '$3 == "cgroup" || $3 == "cgroup2" { found = 1 } END { exit !found }' /proc/mounts; then
      install_missing cgroupfs-mount:cgroupfs-mount
      say "mounting the cgroup hierarchies (cgroupfs-mount)"
      cgroupfs-mount
    fi
    say "starting dockerd (log: $LOG)"
    mkdir -p "$(dirname "$LOG")"
    # setsid: dockerd must outlive this script and the test run that called it.
    setsid dockerd --pidfile "$PIDFILE" </dev/null >>"$LOG" 2>&1 &
    pid=$!
  fi
  local waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG" >&2 || true
      fail "dockerd exited during start-up; its log is $LOG (last lines above)"
    fi
    if [ $waited -ge "$START_TIMEOUT" ]; then
      tail -n 30 "$LOG" >&2 || true
      fail "dockerd did not answer on $SOCKET within ${START_TIMEOUT}s; its log is $LOG"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  say "dockerd answers on $SOCKET"
}

ensure_swarm() {
  local state
  state=$(local_docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
  case "$state" in
    'active true') return 0 ;;
    'inactive '*)
      say "making this engine a single-node swarm manager"
      local_docker swarm init --advertise-addr 127.0.0.1 >/dev/null || fail "docker swarm init failed"
      ;;
    'active false') fail "this engine is a swarm worker, not a manager; swarmgate needs a manager (run this on a manager, or leave the swarm first with 'docker swarm leave')" ;;
    *) fail "this engine's swarm is in state '${state% *}'; fix it (docker swarm init/join/leave/unlock) and run this again" ;;
  esac
}

# What the test bed needs of an engine started some other way; each says what to change.
check_test_engine() {
  local_docker network inspect bridge --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null | grep -q '[0-9]\.[0-9]*/' ||
    fail "this engine has no default bridge network with an IPv4 subnet; the end-to-end tests run containers on it: start dockerd without --bridge=none (--bip, --default-address-pool and --ipv6 are fine)"
  case "$(local_docker info --format '{{range .SecurityOptions}}{{.}} {{end}}')" in
    *name=userns*) fail "this engine remaps user namespaces (--userns-remap); the program containers need the engine socket as root: start dockerd without --userns-remap" ;;
  esac
  local nodes addr
  read -r nodes addr < <(local_docker info --format '{{.Swarm.Nodes}} {{.Swarm.NodeAddr}}')
  [ "$nodes" -le 1 ] || fail "this engine's swarm has $nodes nodes; the tests assume a single-node swarm (one manager running server-proxy): run them on an engine of its own (scripts/isolated-engine.sh) or a single-node swarm"
  [ -z "${addr:-}" ] || [ "$addr" = 127.0.0.1 ] || fail "this engine's swarm advertises $addr; the tests expect the address this script gives it, 127.0.0.1 (registration's default endpoint): run them on an engine of its own (scripts/isolated-engine.sh) or on a swarm made with 'docker swarm init --advertise-addr 127.0.0.1'"
}

if [ $test_tools -eq 1 ]; then
  install_missing busybox-static:dpkg docker-registry:docker-registry apache2-utils:htpasswd openssl:openssl tmux:tmux iproute2:ss
fi
if [ $bench_tools -eq 1 ]; then
  install_missing openssh-server:dpkg openssl:openssl
fi
if ! engine_answers; then
  install_missing docker.io:dockerd docker.io:docker iptables:iptables
  engine_answers || start_dockerd
fi
# Checked before `swarm init`, so an engine the tests cannot use is not made a manager for nothing.
[ $test_tools -eq 1 ] && check_test_engine
[ $swarm -eq 1 ] && ensure_swarm
exit 0
