/**
 * The node agent (docs/protocol.md, "Every node"): server-proxy's image run on every node of the
 * swarm, workers included, with --node-agent. It serves the Docker API calls a manager's
 * server-proxy sends it for its node, over the overlay network, in plain HTTP (the service
 * publishes no port; docs/decisions.md says why and what guards the overlay), through the very
 * gateway server-proxy uses (DockerGateway: the same token check, account lookup, routing,
 * policy, engine facts, forwarding and audit), in front of its own node's engine socket. It has
 * no token service (tokens are had from a manager) and holds no key that signs one: --signing-keys
 * names the public half of the keys (registration's verify-keys secret).
 */
import http from 'node:http'
import type { Duplex } from 'node:stream'
import {
  DOCKER_SERVER_OPTIONS, PATHS, Policy, RESERVED_PREFIX, TCP_KEEPALIVE_MS, parseAccountStore, parsePolicy, sendDockerError, serveDockerApi, unixSocketUpstream, type Logger
} from '@swarmgate/core'
import type { ServerConfig } from '../config.js'
import { readSecretFile, tokenSettings, type ServerProxy } from '../app.js'
import { loadVerifyingKeys } from '../signing-keys.js'
import { AccessCache } from '../access-cache.js'
import { AccountDirectory } from '../identity/directory.js'
import { DockerGateway } from '../gateway/docker-gateway.js'

/** Tokens verified recently, per agent: one node sees far fewer callers than a manager. */
const ACCESS_CACHE_SIZE = 5_000

/** Builds a node agent from server-proxy's config (its files, swarm name, engine socket); never listens. */
export async function buildNodeAgent (config: ServerConfig, logger: Logger): Promise<ServerProxy> {
  const [keysText, accountsText, policyText] = await Promise.all([
    readSecretFile(config.signingKeys, 'the token verifying keys'),
    readSecretFile(config.accounts, 'the account store'),
    config.policy === undefined ? undefined : readSecretFile(config.policy, 'the policy document')
  ])
  const directory = new AccountDirectory(parseAccountStore(accountsText))
  const upstream = unixSocketUpstream(config.engineSocket)
  const gateway = new DockerGateway({
    keys: await loadVerifyingKeys(keysText),
    settings: tokenSettings(config),
    cache: new AccessCache(ACCESS_CACHE_SIZE, config.clockSkew),
    upstream,
    logger: logger.child({ role: 'node-agent' }),
    policy: new Policy(policyText === undefined ? undefined : parsePolicy(policyText)),
    principal: (token) => directory.principal(token)
  })
  const sockets = new Set<Duplex>()
  const server = http.createServer({ ...DOCKER_SERVER_OPTIONS, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS }, (req, res) => {
    // Its own health (the task's health check) and nothing else of the reserved prefix.
    if (req.url === PATHS.health) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}')
    else if (req.url?.startsWith(RESERVED_PREFIX) === true) sendDockerError(res, 404, 'swarmgate: not found')
    else gateway.handleRequest(req, res).catch((err: unknown) => { logger.error({ err }, 'call failed'); res.destroy() })
  })
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
