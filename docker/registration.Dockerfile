# swarmgate/registration: the one-shot registration of a swarm, run on a manager. It creates
# secrets, a network and the server-proxy service through the engine socket mounted from the
# host, which only root may open: so it runs as root.
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
USER 0:0
ENTRYPOINT ["node", "/app/packages/registration/dist/main.js"]
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
LABEL io.swarmgate.program=registration \
      org.opencontainers.image.title=swarmgate/registration \
      org.opencontainers.image.description="swarmgate registration: registers a swarm (identity as secrets, server-proxy as a global service on the managers)" \
      org.opencontainers.image.version=${VERSION} \
      org.opencontainers.image.revision=${REVISION} \
      org.opencontainers.image.licenses=Apache-2.0
