# swarmgate/server-proxy: the TLS endpoint on every swarm manager (a global service publishing
# 2376). It issues tokens and forwards authenticated Docker API calls to the engine socket
# mounted from the host, which only root may open: so it runs as root.
#
# Built by scripts/images.sh from the staged context build/image/ (the compiled dist of every
# workspace package plus production node_modules). Nothing is compiled or installed here, so the
# base may be the shell-less swarmgate/node-local image: no RUN.
ARG NODE_IMAGE=node:22-bookworm-slim
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# glibc malloc: each login's scrypt (N=16384, r=8: 16 MiB) runs on a libuv pool thread; glibc's
# dynamic mmap threshold rises to 16 MiB after the first one is freed, so later ones come from the
# pool threads' own arenas and stay resident (82-98 MB after 8 logins). A fixed threshold keeps
# such blocks mmapped, returned when freed (docs/performance.md, issue 14, server-proxy's memory).
# test/harness/proxy-process.ts sets the same for server-proxy run as a process.
ENV MALLOC_MMAP_THRESHOLD_=4194304
WORKDIR /app
# The same instruction over the same context in all four images, so they share this layer.
COPY . /app
USER 0:0
EXPOSE 2376
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 \
  CMD ["node", "/app/packages/server-proxy/dist/main.js", "healthcheck"]
# V8 starts a full mark-compact whenever the old generation's room left is no larger than the
# young generation, which on a heap of 10-15 MB happened every 25-30 ms while an upload (docker
# load, cp in, a build context) streamed through: a third of the proxy's CPU. An initial old
# space of 64 MB leaves that room, a limit and not memory taken. A young generation of at most
# 4 MB per semi-space (V8 grew it to 16 while 1,000 streams opened, and kept it) holds
# server-proxy's heap at 37 MB instead of 63 with 1,000 quiet streams (docs/decisions.md §13).
# test/harness/proxy-process.ts starts the proxies run as processes the same way.
ENTRYPOINT ["node", "--initial-old-space-size=64", "--max-semi-space-size=4", "/app/packages/server-proxy/dist/main.js"]
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL io.swarmgate.program=server-proxy \
      org.opencontainers.image.title=swarmgate/server-proxy \
      org.opencontainers.image.description="swarmgate server-proxy: TLS endpoint on each swarm manager that issues tokens and forwards authenticated Docker API calls to the local engine" \
      org.opencontainers.image.version=${VERSION} \
      org.opencontainers.image.revision=${REVISION} \
      org.opencontainers.image.licenses=Apache-2.0
