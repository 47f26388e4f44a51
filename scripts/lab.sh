#!/usr/bin/env bash
# `npm run lab -- up|down|status [--name NAME]`: a swarm of four Docker engines on this one machine,
# 3 managers (m1, m2, m3) and 1 worker (w1), for what only a multi-node swarm exercises. Each node
# is a dockerd (with its own managed containerd) in namespaces of its own: network (no default
# route: nothing leaves the lab), mount (its own /run, so its own /var/run/docker.sock, which
# server-proxy's tasks mount), UTS (its hostname is its name), pid (so `down` ends every process
# of the node, its containers' included, at once). Nodes are joined by a bridge on this machine in
# a free private /24 chosen at start; this machine is the bridge's first address. The nodes cannot
# pull: the swarmgate images (built first when missing), swarmgate-test/busybox when present and
# any --image are loaded into each, and dockerd runs with DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1.
# The shared engine on /var/run/docker.sock is only read (docker save); its swarm, networks and
# iptables rules are left alone. One rule of the lab's own lets traffic between the nodes through
# this machine's FORWARD chain (the engine sets its policy to DROP, and bridged traffic passes it).
#
#   scripts/lab.sh up [--name NAME] [--image REF]...  start the lab (fails if NAME is up)
#   scripts/lab.sh down [--name NAME]                 remove it: processes, namespaces, bridge,
#                                                     cgroups, /run and data; safe after a failed
#                                                     start and when nothing is there
#   scripts/lab.sh status [--name NAME]               its nodes and `docker node ls`
#     --name NAME  letters and digits, at most 8 (default: lab); several labs can run side by side
#     --owner PID  (up) the process the lab belongs to, kept in /run/swarmgate-lab/NAME/owner:
#                  the test bed removes a lab whose owner has ended (an interrupted test run)
#
# Where things are: /run/swarmgate-lab/NAME/lab.json (what `up` made, read by the test bed's
# useLab), /run/swarmgate-lab/NAME/NODE/ (the node's /run: docker.sock, docker.pid, exec root),
# /var/lib/swarmgate-lab/NAME/NODE/ (data root and dockerd.log). Needs root. A start that fails
# or is interrupted removes what it made (unless SWARMGATE_LAB_KEEP_FAILED is set, for a look).
set -euo pipefail
# start_node runs in $(...): a failing step there must stop it too.
shopt -s inherit_errexit
cd "$(dirname "$0")/.."

RUN_BASE=/run/swarmgate-lab
DATA_BASE=/var/lib/swarmgate-lab
MANAGERS=(m1 m2 m3)
WORKERS=(w1)
NODES=("${MANAGERS[@]}" "${WORKERS[@]}")
PROGRAMS=(registration server-proxy client-proxy client)
TEST_IMAGE=swarmgate-test/busybox:latest
# Candidates for the lab's /24: 172.16.0.0/16 is private and in none of Docker's default address
# pools (172.17-31.0.0/16, 192.168.0.0/16; 10.0.0.0/8 for swarm overlays), so an engine creating
# networks later is unlikely to pick the lab's subnet.
CANDIDATE_PREFIX=172.16
START_TIMEOUT=${SWARMGATE_LAB_START_TIMEOUT:-90}

say() { echo "lab: $*" >&2; }
fail() { echo "lab: $*" >&2; exit 1; }

usage() { sed -n '2,28s/^# \{0,1\}//p' "$0"; }

command=${1:-}
[ $# -gt 0 ] && shift
name=lab
owner=''
extra_images=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name=${2:-}; shift 2 ;;
    --owner) owner=${2:-}; shift 2 ;;
    --image) extra_images+=("${2:-}"); shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "lab: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$command" in
  up|down|status) ;;
  -h|--help|help) usage; exit 0 ;;
  *) echo "lab: say up, down or status (see --help)" >&2; exit 2 ;;
esac
# Interface names (sgl-NAME-NODE) have 15 characters at most; the name is also a path component.
[[ "$name" =~ ^[a-z0-9]{1,8}$ ]] || fail "--name must be 1 to 8 lower-case letters or digits (got '$name')"
[[ "$owner" =~ ^[0-9]*$ ]] || fail "--owner must be a process id (got '$owner')"
[ "$(id -u)" -eq 0 ] || fail "needs root (namespaces, mounts, a bridge)"

RUN=$RUN_BASE/$name
DATA=$DATA_BASE/$name
BRIDGE=sgl-$name
# The argument every process of the lab's nodes is started with, so `down` finds them even when
# `up` died before writing down their pids.
marker() { echo "swarmgate-lab/$name/$1"; }
CGROUP_PARENT=/swarmgate-lab/$name
FORWARD_RULE=(-i "$BRIDGE" -o "$BRIDGE" -m comment --comment "swarmgate-lab $name" -j ACCEPT)

# The host's engine, whatever DOCKER_HOST or context the caller's shell has (as engine.sh does).
host_docker() { env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_TLS DOCKER_HOST=unix:///var/run/docker.sock docker "$@"; }
node_socket() { echo "$RUN/$1/docker.sock"; }
node_docker() { local node=$1; shift; env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH -u DOCKER_TLS DOCKER_HOST="unix://$(node_socket "$node")" docker "$@"; }

# --- addresses -------------------------------------------------------------------------------

ip_to_int() { local IFS=.; set -- $1; echo $(( ($1 << 24) + ($2 << 16) + ($3 << 8) + $4 )); }

# Every IPv4 prefix in use here: interface addresses, routes of every table, the host engine's
# networks (overlays have no route on this machine).
used_prefixes() {
  ip -4 -o addr show | awk '{ print $4 }'
  ip -4 route show table all | awk '{ d = ($1 ~ /^(local|broadcast|unicast|multicast|blackhole|unreachable|prohibit|throw|nat|anycast)$/) ? $2 : $1; if (d != "default") print d }'
  host_docker network ls -q 2>/dev/null | xargs -r env -u DOCKER_CONTEXT DOCKER_HOST=unix:///var/run/docker.sock docker network inspect \
    --format '{{range .IPAM.Config}}{{.Subnet}}{{"\n"}}{{end}}' 2>/dev/null || true
}

# The first 172.16.N.0/24 that overlaps nothing in use.
choose_subnet() {
  local used=() p n base bits other size lo hi
  while read -r p; do
    [[ "$p" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(/[0-9]+)?$ ]] || continue
    [[ "$p" == */* ]] || p=$p/32
    used+=("$p")
  done < <(used_prefixes)
  for n in $(seq 0 255); do
    base=$(ip_to_int "$CANDIDATE_PREFIX.$n.0")
    local clash=0
    for other in "${used[@]}"; do
      bits=${other#*/}
      size=$(( 1 << (32 - bits) ))
      lo=$(( $(ip_to_int "${other%/*}") / size * size ))
      hi=$(( lo + size - 1 ))
      # Two ranges overlap unless one ends before the other starts.
      if [ $hi -ge "$base" ] && [ $lo -le $(( base + 255 )) ]; then clash=1; break; fi
    done
    [ $clash -eq 0 ] && { echo "$CANDIDATE_PREFIX.$n"; return 0; }
  done
  fail "no free /24 in $CANDIDATE_PREFIX.0.0/16 on this machine"
}

# --- a node ----------------------------------------------------------------------------------

# pid 1 of a node's namespaces. The host moves eth0 in and addresses it; dockerd must find it
# there when it starts (it chooses its bridge's subnet, and the swarm its address, then).
# /etc/docker gets a tmpfs: each engine makes its own key.json and nothing is written to the host's.
# bash stays pid 1 (dockerd as pid 1 would leave orphaned processes unreaped) and ends with dockerd,
# except when dockerd was killed (SIGKILL, as failover tests do): a machine whose engine crashed
# stays up, its containers (server-proxy's task) running, so pid 1 stays and keeps the node.
NODE_INIT='
set -eu
node=$1 run=$2 data=$3 cgroup=$4
i=0
until ip -4 -o addr show dev eth0 2>/dev/null | grep -q inet; do
  i=$((i + 1)); [ $i -lt 600 ] || { echo "lab node $node: eth0 never got its address" >&2; exit 1; }
  sleep 0.05
done
hostname "$node"
mount --bind "$run" /run
mkdir -p /etc/docker && mount -t tmpfs -o mode=0755 tmpfs /etc/docker
export DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1
dockerd --data-root "$data/docker" --exec-root /run/docker --pidfile /run/docker.pid -H unix:///run/docker.sock \
  --config-file "$data/daemon.json" --cgroup-parent "$cgroup" &
status=0
wait $! || status=$?
[ $status -eq 137 ] || exit $status
while :; do sleep 3600 & wait $!; done
'

# Starts a node's namespaces and dockerd and wires it to the bridge; prints the pid of the process
# that holds its namespaces (nsenter --net=/proc/PID/ns/net ...).
start_node() {
  local node=$1 address=$2 pid veth=sgl-$name-$1 host_net i=0
  mkdir -p "$RUN/$node" "$DATA/$node"
  echo '{}' >"$DATA/$node/daemon.json"
  # setsid: the lab outlives the shell (or test) that started it; --kill-child: ending unshare
  # ends pid 1 of the node, and with it every process in the node's pid namespace.
  setsid unshare --net --mount --uts --pid --fork --kill-child --mount-proc --propagation private \
    bash -c "$NODE_INIT" "$(marker "$node")" "$node" "$RUN/$node" "$DATA/$node" "$CGROUP_PARENT/$node" \
    </dev/null >>"$DATA/$node/dockerd.log" 2>&1 &
  pid=$!
  echo "$pid" >"$RUN/$node.pid"
  host_net=$(readlink /proc/self/ns/net)
  until [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = unshare ] && [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$host_net" ]; do
    kill -0 "$pid" 2>/dev/null || fail "node $node: unshare exited at once (log: $DATA/$node/dockerd.log)"
    i=$((i + 1)); [ $i -lt 200 ] || fail "node $node: its namespaces did not appear"
    sleep 0.05
  done
  ip link add "$veth" type veth peer name eth0 netns "$pid"
  ip link set "$veth" master "$BRIDGE" up
  nsenter --net="/proc/$pid/ns/net" sh -c "ip link set lo up && ip addr add $address/24 dev eth0 && ip link set eth0 up"
  echo "$pid"
}

# Waits until a node's engine answers; fails with its log when it stops or takes too long.
wait_engine() {
  local node=$1 pid=$2 waited=0
  until node_docker "$node" version >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$DATA/$node/dockerd.log" >&2 || true
      fail "node $node: dockerd exited during start-up (last lines of $DATA/$node/dockerd.log above)"
    fi
    [ $waited -lt $((START_TIMEOUT * 5)) ] || { tail -n 20 "$DATA/$node/dockerd.log" >&2 || true; fail "node $node: dockerd did not answer within ${START_TIMEOUT}s"; }
    sleep 0.2
    waited=$((waited + 1))
  done
}

# --- up --------------------------------------------------------------------------------------

images_to_load() {
  local p version
  for p in "${PROGRAMS[@]}"; do
    version=$(node -p "require('./packages/$p/package.json').version")
    echo "swarmgate/$p:$version"
    # What the commands registration and client print name (no tag), when this machine has it.
    host_docker image inspect "swarmgate/$p:latest" >/dev/null 2>&1 && echo "swarmgate/$p:latest"
  done
  host_docker image inspect "$TEST_IMAGE" >/dev/null 2>&1 && echo "$TEST_IMAGE"
  for p in "${extra_images[@]}"; do echo "$p"; done
}

# up's exit trap: on failure, ends its background saves and loads, then removes the lab (or keeps
# it for a look when SWARMGATE_LAB_KEEP_FAILED is set).
failed_start() {
  local status=$?
  [ $status -ne 0 ] || return 0
  local job
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  if [ -n "${SWARMGATE_LAB_KEEP_FAILED:-}" ]; then
    say "start failed; kept for a look (SWARMGATE_LAB_KEEP_FAILED is set): 'npm run lab -- down --name $name' removes it"
    return 0
  fi
  say "start failed; removing what was made"
  down >/dev/null 2>&1 || true
}

up() {
  local started=$SECONDS
  [ ! -e "$RUN" ] && [ ! -e "$DATA" ] || fail "a lab named $name is already here ($RUN, $DATA): 'npm run lab -- down --name $name' first"
  local tool
  for tool in unshare nsenter ip iptables dockerd docker flock node; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done
  # The images come from this machine's engine (started if it is not running).
  bash scripts/engine.sh --no-swarm
  local missing=() p
  for p in "${PROGRAMS[@]}"; do
    host_docker image inspect "swarmgate/$p:$(node -p "require('./packages/$p/package.json').version")" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || { say "building the missing images: ${missing[*]}"; bash scripts/images.sh "${missing[@]}"; }

  # From here on a failure or an interruption removes whatever was made.
  trap failed_start EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  mkdir -p "$RUN_BASE" "$RUN" "$DATA"
  [ -z "$owner" ] || echo "$owner" >"$RUN/owner"

  # One lab at a time chooses its subnet and takes it, so two starting together get two.
  local net
  exec 9>"$RUN_BASE/.lock"
  flock 9
  net=$(choose_subnet)
  ip link add "$BRIDGE" type bridge
  ip addr add "$net.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  flock -u 9
  exec 9>&-
  # Node to node only: the nodes have no route anywhere else. (The per-bridge nf_call_iptables 0
  # does not help: the kernel ORs it with the global setting the engine turns on.)
  iptables -w -I FORWARD 1 "${FORWARD_RULE[@]}"

  # Saved once while the nodes start, loaded into all of them in parallel.
  local images=()
  mapfile -t images < <(images_to_load)
  host_docker save -o "$DATA/images.tar" "${images[@]}" &
  local save=$!

  local -A pid address
  local i=2 node
  for node in "${NODES[@]}"; do
    address[$node]=$net.$i
    pid[$node]=$(start_node "$node" "${address[$node]}")
    i=$((i + 1))
  done
  for node in "${NODES[@]}"; do wait_engine "$node" "${pid[$node]}"; done
  wait "$save" || fail "docker save ${images[*]} failed"

  local -A load
  for node in "${NODES[@]}"; do
    node_docker "$node" load -q -i "$DATA/images.tar" >"$DATA/$node/load.log" 2>&1 &
    load[$node]=$!
  done

  local leader=${MANAGERS[0]}
  node_docker "$leader" swarm init --advertise-addr "${address[$leader]}" >/dev/null
  local manager_token worker_token
  manager_token=$(node_docker "$leader" swarm join-token -q manager)
  worker_token=$(node_docker "$leader" swarm join-token -q worker)
  # Managers join one after the other: each is a change of the raft membership.
  for node in "${MANAGERS[@]:1}"; do
    node_docker "$node" swarm join --token "$manager_token" --advertise-addr "${address[$node]}" "${address[$leader]}:2377" >/dev/null
  done
  for node in "${WORKERS[@]}"; do
    node_docker "$node" swarm join --token "$worker_token" --advertise-addr "${address[$node]}" "${address[$leader]}:2377" >/dev/null
  done

  for node in "${NODES[@]}"; do
    wait "${load[$node]}" || fail "node $node: docker load failed: $(cat "$DATA/$node/load.log")"
  done
  rm -f "$DATA/images.tar"

  local waited=0 ready
  until ready=$(node_docker "$leader" node ls --format '{{.Status}}' | grep -c '^Ready$') && [ "$ready" -eq ${#NODES[@]} ]; do
    [ $waited -lt $((START_TIMEOUT * 5)) ] || fail "only ${ready:-0} of ${#NODES[@]} nodes are Ready after ${START_TIMEOUT}s"
    sleep 0.2
    waited=$((waited + 1))
  done

  local seconds=$((SECONDS - started)) entries='' role
  for node in "${NODES[@]}"; do
    role=worker; [[ " ${MANAGERS[*]} " == *" $node "* ]] && role=manager
    entries+="${entries:+,}
    {\"name\": \"$node\", \"role\": \"$role\", \"address\": \"${address[$node]}\", \"pid\": ${pid[$node]}, \"socket\": \"$(node_socket "$node")\", \"dataRoot\": \"$DATA/$node/docker\", \"log\": \"$DATA/$node/dockerd.log\"}"
  done
  cat >"$RUN/lab.json" <<EOF
{
  "name": "$name",
  "bridge": "$BRIDGE",
  "subnet": "$net.0/24",
  "host": "$net.1",
  "startSeconds": $seconds,
  "images": [$(printf '"%s",' "${images[@]}" | sed 's/,$//')],
  "nodes": [$entries
  ]
}
EOF
  trap - EXIT HUP INT TERM
  say "lab '$name' is up in ${seconds}s: ${#MANAGERS[@]} managers and ${#WORKERS[@]} worker on $BRIDGE ($net.0/24; this machine is $net.1)"
  show_nodes
  cat <<EOF

Each node's engine:   DOCKER_HOST=unix://$RUN/NODE/docker.sock docker ...
Inside a node:        nsenter --net=/proc/PID/ns/net --mount=/proc/PID/ns/mnt --uts=/proc/PID/ns/uts docker ...
Its dockerd's log:    $DATA/NODE/dockerd.log
When done:            npm run lab -- down$([ "$name" = lab ] || echo " --name $name")
EOF
}

# --- status ----------------------------------------------------------------------------------

show_nodes() {
  local node role address pid state
  printf '%-4s %-8s %-15s %-8s %-8s %s\n' NODE ROLE ADDRESS PID ENGINE DOCKER_HOST
  while read -r node role address; do
    pid=$(cat "$RUN/$node.pid" 2>/dev/null || echo -)
    if node_docker "$node" version >/dev/null 2>&1; then state=answers
    elif [ "$pid" != - ] && kill -0 "$pid" 2>/dev/null; then state=silent
    else state=gone; fi
    printf '%-4s %-8s %-15s %-8s %-8s %s\n' "$node" "$role" "$address" "$pid" "$state" "unix://$(node_socket "$node")"
  done < <(node -e 'for (const n of require(process.argv[1]).nodes) console.log(n.name, n.role, n.address)' "$RUN/lab.json")
}

status() {
  [ -f "$RUN/lab.json" ] || {
    local others
    others=$(ls "$RUN_BASE" 2>/dev/null | tr '\n' ' ' || true)
    fail "no lab named $name is up${others:+ (labs here: $others)}"
  }
  say "lab '$name': bridge $BRIDGE, $(node -p "require('$RUN/lab.json').subnet")"
  show_nodes
  local node
  for node in "${MANAGERS[@]}"; do
    if node_docker "$node" node ls 2>/dev/null; then return 0; fi
  done
  say "no manager answers docker node ls (no leader, or the managers are gone)"
  return 1
}

# --- down ------------------------------------------------------------------------------------

# Pids of processes started with this lab's marker (unshare and pid 1 of each node).
lab_pids() {
  local proc
  for proc in /proc/[0-9]*; do
    grep -qz "^swarmgate-lab/$name/" "$proc/cmdline" 2>/dev/null && echo "${proc#/proc/}"
  done
  return 0
}

down() {
  local pids waited=0
  pids=$(lab_pids)
  # SIGKILL to pid 1 of a node's pid namespace ends every process in it, containers included;
  # its network and mount namespaces go with the last of them, eth0 and its bridge port too.
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
  while [ -n "$(lab_pids)" ]; do
    [ $waited -lt 300 ] || fail "processes of lab '$name' do not end: $(lab_pids | tr '\n' ' ')"
    sleep 0.1
    waited=$((waited + 1))
  done
  while iptables -w -D FORWARD "${FORWARD_RULE[@]}" 2>/dev/null; do :; done
  local link
  for link in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | grep -E "^sgl-$name(-|$)" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  # Empty cgroups the node engines' containers were in (nothing removes them after SIGKILL).
  local dir
  for dir in /sys/fs/cgroup/*/swarmgate-lab/"$name"; do
    [ -d "$dir" ] || continue
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    rmdir "${dir%/*}" 2>/dev/null || true
  done
  rm -rf "$RUN" "$DATA"
  rmdir "$DATA_BASE" 2>/dev/null || true
  [ "$(ls -A "$RUN_BASE" 2>/dev/null)" != .lock ] || rm -rf "$RUN_BASE"
  say "lab '$name' is down"
}

"$command"
