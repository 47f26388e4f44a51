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
# The same V8 options as server-proxy, for the same reasons (docker/server-proxy.Dockerfile,
# docs/decisions.md §13): no full mark-compact every few ms during uploads, and a young
# generation that does not stay grown after many streams opened.
ENTRYPOINT ["node", "--initial-old-space-size=64", "--max-semi-space-size=4", "/app/packages/client-proxy/dist/main.js"]
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL io.swarmgate.program=client-proxy \
      org.opencontainers.image.title=swarmgate/client-proxy \
      org.opencontainers.image.description="swarmgate client-proxy: local Docker endpoint that adds the user's token to every call and forwards it over pinned TLS to the swarm" \
      org.opencontainers.image.version=${VERSION} \
      org.opencontainers.image.revision=${REVISION} \
      org.opencontainers.image.licenses=Apache-2.0
