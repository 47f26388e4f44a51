#!/usr/bin/env bash
# Builds swarmgate/node-local:<node version> FROM scratch out of this machine's own node binary
# and the libraries it links, so the program images can be built where no Node image can be
# pulled. Prints the image reference on standard output; builds nothing when it already exists.
set -euo pipefail
cd "$(dirname "$0")/.."

node_bin=$(readlink -f "$(command -v node)")
version=$("$node_bin" -p process.versions.node)
image=swarmgate/node-local:$version
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi
echo "images: building $image from $node_bin" >&2

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
rootfs=$ctx/rootfs
mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/root" "$rootfs/home/nonroot"
cp "$node_bin" "$rootfs/usr/local/bin/node"

# ldd prints "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" for libraries and
# "/lib64/ld-linux-x86-64.so.2 (0x...)" for the loader; the vDSO has no file. Each file is copied,
# links resolved, to the path the binary asks for, so no ld.so.cache is needed.
libs=$(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
[ -n "$libs" ] || { echo "images: ldd listed no libraries for $node_bin" >&2; exit 1; }
for lib in $libs; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:10001:10001:nonroot:/home/nonroot:/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnonroot:x:10001:\n' >"$rootfs/etc/group"
# Without nsswitch.conf glibc asks DNS before /etc/hosts.
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
chown 10001:10001 "$rootfs/home/nonroot"

DOCKER_BUILDKIT=0 docker build -q --build-arg "NODE_VERSION=$version" -t "$image" \
  -f docker/node-local.Dockerfile "$ctx" >/dev/null
echo "$image"
