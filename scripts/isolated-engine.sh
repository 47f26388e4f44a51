#!/usr/bin/env bash
# Runs a command (e.g. `npm test`) against a Docker engine of its own, as on a machine where no
# engine ever ran, without touching this machine's engine: new mount, network and pid
# namespaces, a fresh /run (so its own docker.sock and docker.pid), an empty /var/lib/docker and
# no docker0, tmux servers of its own. Everything the engine leaves goes with the namespaces; its
# data root and log stay in DIR. Run as root, from a checkout whose npm dependencies are
# installed (there is no network inside: `bash scripts/npm-deps.sh` first).
#
#   scripts/isolated-engine.sh [--by-hand] [--dir DIR] -- COMMAND...
#     (default)   COMMAND alone: scripts/engine.sh starts dockerd itself, as on a fresh machine
#     --by-hand   start dockerd first, the way someone else might have: another pid file, a TLS
#                 listener on tcp://127.0.0.1:12376 (throw-away CA), its own address pool, IPv6,
#                 and DOCKER_HOST/DOCKER_TLS_VERIFY/DOCKER_CERT_PATH exported for that listener
#     --dir DIR   where the data root, log and certificates go (default: a new /tmp/sg-engine-*)
set -euo pipefail

by_hand=0
dir=''
while [ $# -gt 0 ]; do
  case "$1" in
    --by-hand) by_hand=1; shift ;;
    --dir) dir=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "isolated-engine.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "isolated-engine.sh: no command given (see --help)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "isolated-engine.sh: needs root (namespaces and mounts)" >&2; exit 1; }
[ -n "$dir" ] || dir=$(mktemp -d /tmp/sg-engine-XXXXXX)
mkdir -p "$dir/lib"
dir=$(cd "$dir" && pwd)

# The throw-away CA and server certificate for the by-hand engine's TLS listener.
make_tls() {
  local tls=$dir/tls
  mkdir -p "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=sg-isolated-ca \
    -keyout "$tls/ca-key.pem" -out "$tls/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -keyout "$tls/key.pem" -out "$tls/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca-key.pem" -CAcreateserial -days 2 \
    -extfile "$tls/ext.cnf" -out "$tls/cert.pem" 2>/dev/null
}
[ $by_hand -eq 1 ] && make_tls

# Inside the namespaces: private /run and data root, loopback up, maybe dockerd by hand, the
# command, then dockerd stopped so its containers and mounts end cleanly.
inside=$(cat <<'EOF'
set -euo pipefail
dir=$1 by_hand=$2; shift 2
ip link set lo up
mount -t tmpfs tmpfs /run
mount --bind "$dir/lib" /var/lib/docker
export SWARMGATE_DOCKERD_LOG=$dir/dockerd.log
# Tells a command that this engine is its own (npm run bench -- --deployed deploys swarmgate on it).
export SWARMGATE_ISOLATED_ENGINE=$dir
# tmux servers of their own: /tmp is shared, and a test's tmux command sent to a server started
# outside (same socket name, or pids that repeat across pid namespaces) would run in this
# machine's namespaces, against its engine.
export TMUX_TMPDIR=$dir/tmux
unset TMUX
mkdir -p "$TMUX_TMPDIR"
if [ "$by_hand" -eq 1 ]; then
  tls=$dir/tls
  setsid dockerd -H unix:///var/run/docker.sock -H tcp://127.0.0.1:12376 --pidfile /run/by-hand-dockerd.pid \
    --tlsverify --tlscacert "$tls/ca.pem" --tlscert "$tls/cert.pem" --tlskey "$tls/key.pem" \
    --default-address-pool base=10.123.0.0/16,size=24 --ipv6 --fixed-cidr-v6 fd00:5a:1::/64 \
    </dev/null >>"$SWARMGATE_DOCKERD_LOG" 2>&1 &
  for _ in $(seq 90); do docker -H unix:///var/run/docker.sock info >/dev/null 2>&1 && break; sleep 1; done
  docker -H unix:///var/run/docker.sock info >/dev/null || { tail -n 30 "$SWARMGATE_DOCKERD_LOG"; exit 1; }
  export DOCKER_HOST=tcp://127.0.0.1:12376 DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$tls
  echo "isolated-engine: dockerd started by hand; DOCKER_HOST=$DOCKER_HOST with TLS" >&2
fi
status=0
"$@" || status=$?
unset DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
for pidfile in /run/by-hand-dockerd.pid /run/docker.pid; do
  pid=$(cat "$pidfile" 2>/dev/null) || continue
  docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
  kill -TERM "$pid" 2>/dev/null || continue
  for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
done
exit $status
EOF
)
echo "isolated-engine: data root, log and certificates in $dir" >&2
exec unshare --mount --net --pid --fork --mount-proc bash -c "$inside" isolated-engine "$dir" "$by_hand" "$@"
