# swarmgate/node-local:<node version>: a Node.js runtime made from the building machine's own
# node binary, for when the default base (node:22-bookworm-slim) is not present and cannot be
# pulled. scripts/node-local-image.sh stages rootfs/: the node binary, every library `ldd` lists,
# the dynamic loader, a minimal /etc (root and nonroot uid 10001) and a world-writable /tmp.
# There is no shell in it, so the program images built on it must not use RUN.
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ARG NODE_VERSION
LABEL io.swarmgate.base=node-local \
      org.opencontainers.image.title=swarmgate/node-local \
      org.opencontainers.image.description="Node.js ${NODE_VERSION} runtime copied from the build machine, FROM scratch" \
      org.opencontainers.image.version=${NODE_VERSION}
CMD ["node"]
