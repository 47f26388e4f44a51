# swarmgate/client-proxy: the long-running local Docker endpoint on the user's machine. It only
# talks HTTP to the local docker CLI and TLS to the swarm, needs no engine socket, and so runs as
# the unprivileged uid 10001.
#
# Built by scripts/images.sh from the staged context build/image/ (the compiled dist of every
# workspace package plus production node_modules). Nothing is compiled or installed here, so the
# base may be the shell-less swarmgate/node-local image: no RUN.
ARG NODE_IMAGE=node:22-bookworm-slim
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# The same instruction over the same context in all four images, so they share this layer.
COPY . /app
USER 10001:10001
EXPOSE 2375
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["node", "/app/packages/client-proxy/dist/main.js", "healthcheck"]
# V8 starts a full mark-compact whenever the old generation's room left is no larger than the
# young generation, which on a heap of 10-15 MB happened every 25-30 ms while an upload (docker
# load, cp in, a build context) streamed through: a third of the proxy's CPU. An initial old
# space of 64 MB leaves that room, a limit and not memory taken. A young generation of at most
# 4 MB per semi-space (V8 grew it to 16 while 1,000 streams opened, and kept it) holds
# server-proxy's heap at 37 MB instead of 63 with 1,000 quiet streams (docs/decisions.md §13).
# test/harness/proxy-process.ts starts the proxies run as processes the same way.
ENTRYPOINT ["node", "--initial-old-space-size=64", "--max-semi-space-size=4", "/app/packages/client-proxy/dist/main.js"]
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL io.swarmgate.program=client-proxy \
      org.opencontainers.image.title=swarmgate/client-proxy \
      org.opencontainers.image.description="swarmgate client-proxy: local Docker endpoint that adds the user's token to every call and forwards it over pinned TLS to the swarm" \
      org.opencontainers.image.version=${VERSION} \
      org.opencontainers.image.revision=${REVISION} \
      org.opencontainers.image.licenses=Apache-2.0
