/**
 * Builds server-proxy from its config and a logger; never listens (main.ts does). One HTTPS server
 * (plain HTTP only when asked) routes by path: the reserved prefix goes to fastify (token service),
 * everything else bypasses fastify entirely, because Docker API bodies are multi-GB streams that
 * must not be parsed or buffered, and hijacked calls arrive on the server's 'upgrade' event.
 */
import http from 'node:http'
import https from 'node:https'
import { readFile } from 'node:fs/promises'
import type { Duplex } from 'node:stream'
import Fastify, { LogController } from 'fastify'
import {
  DOCKER_SERVER_OPTIONS, DockerHubClient, PATHS, Policy, RESERVED_PREFIX, TCP_KEEPALIVE_MS, interceptConnections, parseAccountStore, parsePolicy, serveDockerApi, unixSocketUpstream, type Logger
} from '@swarmgate/core'
import type { ServerConfig } from './config.js'
import { loadSigningKeys } from './signing-keys.js'
import { Authenticator } from './authenticator.js'
import { DockerIdVerifier } from './identity/docker-id.js'
import { AccessCache } from './access-cache.js'
import { DockerGateway } from './gateway/docker-gateway.js'
import { BearerTokens } from './gateway/bearer-tokens.js'
import { RelayedCalls } from './gateway/relayed-calls.js'
import { NodeCalls, signNodeAssertion } from './nodes/index.js'
import { tokenRoutes } from './token-routes.js'
import { endpointRoutes } from './endpoint-routes.js'
import { ConnectionGuard } from './connections/index.js'
import { ServerDrain } from './drain/index.js'
import { countTokenAnswers, type ServerMetrics } from './metrics/index.js'
import { errors } from './errors.js'
import type { TokenSettings } from './tokens.js'

export interface ServerProxy {
  readonly server: http.Server
  /** The drain on stop, where the server has one (a manager's server-proxy, not a node agent). */
  readonly drain?: ServerDrain
  /** Closes the listener, every client connection (hijacked ones included) and the engine connections. */
  close (): Promise<void>
}

const ACCESS_CACHE_SIZE = 50_000
/** After Docker Hub could not be reached, how long logins are refused without asking it again. */
const HUB_PAUSE_MS = 5_000
/** One log line per source per minute about connections the guard refused or closed. */
const GUARD_LOG_INTERVAL_MS = 60_000

/** Reads a file server-proxy needs (a mounted secret or config); throws SG_ERR_FILE_UNREADABLE naming it. */
export async function readSecretFile (path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (err) {
    throw errors.SG_ERR_FILE_UNREADABLE(`${what} at ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err)
  }
}

/** The token settings of `config`: what every token this swarm accepts is checked against. */
export function tokenSettings (config: ServerConfig): TokenSettings {
  return { issuer: config.issuer, audience: config.swarmName, accessTtl: config.tokenTtl, refreshTtl: config.refreshTtl, clockSkew: config.clockSkew }
}

/** Builds the server-proxy: reads its secrets, wires the token service and the Docker gateway (counted in `metrics` when given). */
export async function buildServerProxy (config: ServerConfig, logger: Logger, metrics?: ServerMetrics): Promise<ServerProxy> {
  if (config.tokenTtl < 10 || config.tokenTtl > 15 * 60) throw errors.SG_ERR_TOKEN_TTL(`got ${config.tokenTtl} seconds`)
  const [keysText, accountsText, policyText, hubCa, agentCa, tls] = await Promise.all([
    readSecretFile(config.signingKeys, 'the signing keys'),
    readSecretFile(config.accounts, 'the account store'),
    config.policy === undefined ? undefined : readSecretFile(config.policy, 'the policy document'),
    config.dockerHubCa === undefined ? undefined : readSecretFile(config.dockerHubCa, 'the Docker Hub CA'),
    config.nodeAgentCa === undefined ? undefined : readSecretFile(config.nodeAgentCa, 'the node agents\' CA'),
    config.insecureHttp
      ? undefined
      : Promise.all([readSecretFile(config.tlsCert, 'the TLS certificate'), readSecretFile(config.tlsKey, 'the TLS key')])
  ])
  const keys = await loadSigningKeys(keysText)
  const settings = tokenSettings(config)
  // A broken document stops the start: the running tasks keep the policy they have until a
  // rolling update brings one that parses (registration checks it before storing it).
  const policy = new Policy(policyText === undefined ? undefined : parsePolicy(policyText))
  const hub = new DockerHubClient({ baseUrl: config.dockerHubUrl, timeoutMs: config.dockerHubTimeout * 1000, ...(hubCa === undefined ? {} : { ca: hubCa }) })
  const dockerId = new DockerIdVerifier(hub, { graceMs: config.dockerHubGrace * 1000, pauseMs: HUB_PAUSE_MS })
  const authenticator = new Authenticator(parseAccountStore(accountsText), { dockerId })
  const upstream = unixSocketUpstream(config.engineSocket)
  const guard = new ConnectionGuard({
    handshakeMs: config.handshakeTimeout * 1000,
    headMs: config.headTimeout * 1000,
    idleMs: config.unauthenticatedIdle * 1000,
    perSource: config.unauthenticatedPerSource,
    total: config.unauthenticatedMax,
    logIntervalMs: GUARD_LOG_INTERVAL_MS,
    logger
  })
  const bearer = new BearerTokens({ keys, settings, cache: new AccessCache(ACCESS_CACHE_SIZE, config.clockSkew), principal: (token) => authenticator.principal(token) })
  const drain = new ServerDrain(logger)
  const gateway = new DockerGateway({
    authenticate: async (req) => await bearer.authenticate(req),
    upstream,
    logger,
    policy,
    onAuthenticated: (socket) => { guard.authenticated(socket) },
    ...(metrics === undefined ? {} : { onAudit: (line) => { metrics.audited(line) } })
  })
  const nodes = new NodeCalls({
    authenticate: async (req) => await bearer.authenticate(req),
    engine: upstream,
    agentCa,
    assert: async (claims) => await signNodeAssertion(keys, settings, claims),
    logger,
    onAuthenticated: (socket) => { guard.authenticated(socket) }
  })
  const relayed = config.relay
    ? new RelayedCalls({
      authenticate: (authorization) => bearer.knownCaller(authorization) ?? bearer.authenticate({ headers: { authorization } }),
      policy,
      engineSocket: config.engineSocket,
      logger,
      onAuthenticated: (socket) => { guard.authenticated(socket) },
      careful: () => drain.draining,
      ...(metrics === undefined ? {} : { onAudit: (line) => { metrics.audited(line) } })
    })
    : undefined
  // Every connection, so close() can end them all (serveDockerApi keeps it).
  const sockets = new Set<Duplex>()

  const app = Fastify({
    loggerInstance: logger.child({ module: 'token-service' }),
    // One line per call, written by the onResponse hook below, instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (handler) => {
      const route: http.RequestListener = (req, res) => {
        if (req.url?.startsWith(PATHS.nodes) === true) nodes.handleRequest(req, res).catch((err: unknown) => { logger.error({ err }, 'call failed'); res.destroy() })
        else if (req.url?.startsWith(RESERVED_PREFIX) === true) handler(req, res)
        else gateway.handleRequest(req, res).catch((err: unknown) => { logger.error({ err }, 'call failed'); res.destroy() })
      }
      // TCP keepalive: a client that vanished during a silent stream (laptop closed, network
      // gone) would otherwise hold its engine stream open for good.
      const options = { ...DOCKER_SERVER_OPTIONS, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_MS }
      const server = tls === undefined
        ? http.createServer(options, route)
        : https.createServer({ ...options, cert: tls[0], key: tls[1], minVersion: 'TLSv1.2' }, route)
      guard.attach(server)
      drain.attach(server)
      serveDockerApi(server, {
        upgrade: async (req, socket, head) => {
          if (req.url?.startsWith(PATHS.nodes) === true) await nodes.handleUpgrade(req, socket, head)
          else await gateway.handleUpgrade(req, socket, head)
        },
        refuseUpgrade: (req) => req.url?.startsWith(RESERVED_PREFIX) === true && !req.url.startsWith(PATHS.nodes),
        sockets,
        logger
      })
      if (relayed !== undefined) interceptConnections(server, (socket, careful) => { relayed.serve(socket, careful) })
      return server
    }
  })
  app.addHook('onResponse', async (req, reply) => {
    req.log.info({ method: req.method, path: req.url, status: reply.statusCode, durationMs: Math.round(reply.elapsedTime * 100) / 100 }, 'call')
  })
  if (metrics !== undefined) countTokenAnswers(app, metrics)
  await app.register(tokenRoutes, {
    keys,
    settings,
    authenticator,
    engineHealthy: async () => {
      try {
        const res = await upstream.dispatcher.request({ origin: upstream.origin, path: '/_ping', method: 'GET', headersTimeout: 5_000, bodyTimeout: 5_000 })
        await res.body.dump()
        return res.statusCode === 200
      } catch {
        return false
      }
    }
  })
  await app.register(endpointRoutes, {
    swarm: config.swarmName,
    engine: upstream,
    advertised: config.advertiseEndpoints,
    listenPort: () => { const address = app.server.address(); return typeof address === 'object' && address !== null ? address.port : config.port },
    authenticate: async (req) => await bearer.authenticate(req)
  })
  await app.ready()

  return {
    server: app.server,
    drain,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      // fastify closes a serverFactory server only when fastify.listen() opened it; main.ts
      // listens on the server itself, so it is closed here.
      await new Promise<void>((resolve) => app.server.close(() => resolve()))
      await app.close()
      await upstream.close()
      await nodes.close()
      await hub.close()
      guard.close()
    }
  }
}
