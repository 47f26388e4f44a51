/**
 * The node agent (docs/protocol.md, "Every node"): server-proxy's image run on every node of the
 * swarm, workers included, with --node-agent. It serves the Docker API calls a manager's
 * server-proxy sends it for its node, over the overlay network, in TLS with a certificate of the
 * agents' own CA (the service publishes no port; docs/decisions.md 10), through the very gateway
 * server-proxy uses (DockerGateway: routing, policy, this node's engine facts, forwarding, audit),
 * in front of its own node's engine socket. Who the caller is comes from the manager's node
 * assertion (assertion-check.ts), verified with the public half of the token keys: the agent has
 * no token service, holds no key that signs anything a manager accepts, no account store (no
 * password hashes on workers) and never sees a user's token.
 */
import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import {
  DOCKER_SERVER_OPTIONS, PATHS, Policy, RESERVED_PREFIX, TCP_KEEPALIVE_MS, parsePolicy, sendDockerError, serveDockerApi, unixSocketUpstream, type Logger
} from '@swarmgate/core'
import type { ServerConfig } from '../config.js'
import { readSecretFile, tokenSettings, type ServerProxy } from '../app.js'
import { loadVerifyingKeys } from '../signing-keys.js'
import { DockerGateway } from '../gateway/docker-gateway.js'
import { errors } from '../errors.js'
import { checkNodeAssertion } from './assertion-check.js'
import type { ServerMetrics } from '../metrics/index.js'

/** Builds a node agent from server-proxy's config (its files, swarm name, node ID, engine socket), its calls counted in `metrics` when given; never listens. */
export async function buildNodeAgent (config: ServerConfig, logger: Logger, metrics?: ServerMetrics): Promise<ServerProxy> {
  const node = config.nodeId
  if (node === undefined || node === '') throw errors.SG_ERR_NODE_AGENT_CONFIG()
  const [keysText, policyText, tls] = await Promise.all([
    readSecretFile(config.signingKeys, 'the token verifying keys'),
    config.policy === undefined ? undefined : readSecretFile(config.policy, 'the policy document'),
    config.insecureHttp
      ? undefined
      : Promise.all([readSecretFile(config.tlsCert, 'the node agent\'s TLS certificate'), readSecretFile(config.tlsKey, 'the node agent\'s TLS key')])
  ])
  const assertions = { keys: await loadVerifyingKeys(keysText), settings: tokenSettings(config), node }
  const upstream = unixSocketUpstream(config.engineSocket)
  const gateway = new DockerGateway({
    authenticate: async (req) => await checkNodeAssertion(assertions, req),
    upstream,
    logger: logger.child({ role: 'node-agent' }),
    policy: new Policy(policyText === undefined ? undefined : parsePolicy(policyText)),
    ...(metrics === undefined ? {} : { onAudit: (line) => { metrics.audited(line) } })
  })
  const sockets = new Set<Duplex>()
  const route: http.RequestListener = (req, res) => {
    // Its own health (the task's health check) and nothing else of the reserved prefix.
    if (req.url === PATHS.health) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}')
    else if (req.url?.startsWith(RESERVED_PREFIX) === true) sendDockerError(res, 404, 'swarmgate: not found')
    else gateway.handleRequest(req, res).catch((err: unknown) => { logger.error({ err }, 'call failed'); res.destroy() })
  }
  const options = { ...DOCKER_SERVER_OPTIONS, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS }
  const server = tls === undefined
    ? http.createServer(options, route)
    : https.createServer({ ...options, cert: tls[0], key: tls[1], minVersion: 'TLSv1.3' }, route)
  serveDockerApi(server, {
    upgrade: async (req, socket, head) => { await gateway.handleUpgrade(req, socket, head) },
    refuseUpgrade: (req) => req.url?.startsWith(RESERVED_PREFIX) === true,
    sockets,
    logger
  })
  return {
    server,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await upstream.close()
    }
  }
}
