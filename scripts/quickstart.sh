#!/usr/bin/env bash
# `npm run quickstart`: brings swarmgate up on this machine, with its own engine as the swarm,
# and shows `docker node ls` working through the authenticated chain. The steps, in order:
#   1. engine     a Docker engine and a single-node swarm manager (scripts/engine.sh)
#   2. deps       npm dependencies (scripts/npm-deps.sh)
#   3. images     compile and build the four images (scripts/images.sh)
#   4. register   run swarmgate/registration on this manager: the first time with a generated
#                 owner password, shown once; again, it keeps keys, certificates and accounts
#   5. connect    run swarmgate/client: log in (or reuse the saved login), start client-proxy
#   6. node ls    DOCKER_HOST=<client-proxy> docker node ls, through the authenticated chain
# Each step is idempotent, so running it again resumes where it stopped.
# SWARMGATE_QUICKSTART_NAME names the swarm (default local/quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
# This machine's engine, whatever DOCKER_HOST a shell exported (the test bed does the same).
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT

step() { echo; echo "quickstart: step $1"; }

step "1/6: Docker engine and swarm"
bash scripts/engine.sh
step "2/6: npm dependencies"
bash scripts/npm-deps.sh
step "3/6: images"
bash scripts/images.sh
docker image ls --filter 'reference=swarmgate/*'

name=${SWARMGATE_QUICKSTART_NAME:-local/quickstart}
owner=admin
endpoint=127.0.0.1:2376
socket=(-v /var/run/docker.sock:/var/run/docker.sock)
# Marks the quick start's registration, so `npm test` on this machine may replace it (its journey
# tests need the swarm's one server-proxy service) and leaves anyone else's alone.
label=(--label io.swarmgate.quickstart=true)
password=''

step "4/6: register this swarm as $name"
if docker service inspect swarmgate-server-proxy >/dev/null 2>&1; then
  echo "quickstart: already registered; updating server-proxy and keeping keys, certificates and accounts" >&2
  registered=$(docker run --rm -i "${socket[@]}" swarmgate/registration --endpoint "$endpoint" "${label[@]}" </dev/null)
else
  password=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  registered=$(printf '%s\n' "$password" | docker run --rm -i "${socket[@]}" swarmgate/registration \
    --username "$owner" --password-stdin --name "$name" --endpoint "$endpoint" "${label[@]}")
fi
printf '%s\n' "$registered"
if [ -n "$password" ]; then
  cat <<MSG

quickstart: the swarm's owner account is "$owner" with the password below. It is shown this once
and kept nowhere but as a hash in the swarm; the client on this machine keeps a login (a refresh
token), so you will not need it here again.

    $password

MSG
fi
fingerprint=$(grep -oE 'sha256:[0-9a-f]{64}' <<<"$registered" | tail -n 1)
name=$(grep -oE 'Successfully registered the swarm as [^ ]+' <<<"$registered" | awk '{print $NF}' || true)
name=${name:-${SWARMGATE_QUICKSTART_NAME:-local/quickstart}}

step "5/6: connect this machine's docker CLI to $name"
# The client and its client-proxy container run on the host network (the proxy listening on
# 127.0.0.1 only), so both reach server-proxy's published port on 127.0.0.1 as any program on
# this machine would.
client=(docker run --rm -i --network host "${socket[@]}" -e DOCKER_HOST swarmgate/client "$name" --endpoint "$endpoint" --fingerprint "$fingerprint" --network host --quiet)
if [ -n "$password" ]; then
  exported=$(printf '%s\n' "$password" | "${client[@]}" --username "$owner" --password-stdin)
else
  exported=$("${client[@]}" </dev/null)
fi
host=${exported#export DOCKER_HOST=}

step "6/6: docker node ls through the chain ($host)"
DOCKER_HOST=$host docker node ls

cat <<MSG

quickstart: done. Use the swarm through swarmgate from your shell with:

    $exported

and connect other machines with the client command registration printed above.
MSG
