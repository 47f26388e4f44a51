/**
 * Builds client-proxy from its config and a logger; never listens (main.ts does). A plain HTTP
 * server for the local docker CLI: its own health endpoint under the reserved prefix, every other
 * call relayed to the swarm with the token added, hijacked calls through the 'upgrade' event.
 */
import http from 'node:http'
import { readFile } from 'node:fs/promises'
import type { Duplex } from 'node:stream'
import { DOCKER_SERVER_OPTIONS, PATHS, RESERVED_PREFIX, formatEndpoint, interceptConnections, normalizePin, sendDockerError, serveDockerApi, writeDockerErrorToSocket, type Logger } from '@swarmgate/core'
import type { ClientProxyConfig } from './config.js'
import { parseEndpoint, type Endpoint, type Trust } from './pinned-tls.js'
import { EndpointRefresh, LivenessWatch, SwarmUpstream } from './swarm/index.js'
import { TokenKeeper, type Credentials } from './token-keeper.js'
import { DockerRelay } from './docker-relay.js'
import { RelayedCalls } from './relayed-calls.js'
import { browserGuard, normalizeOrigin, type Listener } from './browser-guard.js'
import { errors } from './errors.js'

export interface ClientProxy {
  readonly server: http.Server
  /** The same endpoint on the unix socket of --socket, when given. */
  readonly socketServer: http.Server | undefined
  readonly keeper: TokenKeeper
  /** Keeps the endpoint list current once started (main.ts starts it). */
  readonly endpoints: EndpointRefresh
  close (): Promise<void>
}

function endpointsOf (config: ClientProxyConfig): Endpoint[] {
  if (config.endpoints.length === 0) throw errors.SG_ERR_NO_ENDPOINT()
  return config.endpoints.map((text) => parseEndpoint(text) ?? (() => { throw errors.SG_ERR_ENDPOINT_FORMAT(`got "${text}"`) })())
}

async function trustOf (config: ClientProxyConfig): Promise<Trust> {
  if (config.fingerprint !== undefined) return { pin: normalizePin(config.fingerprint) }
  if (config.caFile === undefined) throw errors.SG_ERR_NO_TRUST()
  try {
    return { ca: await readFile(config.caFile, 'utf8') }
  } catch (err) {
    throw errors.SG_ERR_FILE_UNREADABLE(`the CA bundle at ${config.caFile}`, err)
  }
}

function credentialsOf (config: ClientProxyConfig): Credentials {
  if (config.refreshTokenFile !== undefined) return { refreshTokenFile: config.refreshTokenFile }
  if (config.username !== undefined && config.passwordFile !== undefined) return { username: config.username, passwordFile: config.passwordFile }
  throw errors.SG_ERR_NO_CREDENTIALS()
}

/** Builds the client-proxy; `keeper.renew()` gets the first token (main.ts waits for it). */
export async function buildClientProxy (config: ClientProxyConfig, logger: Logger): Promise<ClientProxy> {
  const trust = await trustOf(config)
  const upstream = new SwarmUpstream(endpointsOf(config), trust, logger)
  const watch = new LivenessWatch(upstream, trust, logger)
  const keeper = new TokenKeeper({ upstream, watch, swarm: config.swarm, credentials: credentialsOf(config), marginSeconds: config.refreshMargin, logger })
  const endpoints = new EndpointRefresh(upstream, keeper, logger)
  // A manager gone may have been replaced: the swarm may know a new one.
  upstream.onUnhealthy(() => { endpoints.soon() })
  const relay = new DockerRelay(upstream, watch, keeper, logger)
  const guard = browserGuard({ listenHost: config.host, allowOrigin: config.allowOrigin === undefined ? undefined : normalizeOrigin(config.allowOrigin) })
  const log = logger.child({ module: 'browser-guard' })
  const relayed = config.relay ? new RelayedCalls(upstream, watch, keeper, guard) : undefined
  // Every connection, so close() can end them all (serveDockerApi keeps it).
  const sockets = new Set<Duplex>()

  const health = (res: http.ServerResponse): void => {
    const state = keeper.state
    const asked = endpoints.answeredAt
    const where = {
      swarm: config.swarm,
      endpoint: formatEndpoint(upstream.endpoint.host, upstream.endpoint.port),
      endpoints: upstream.status(),
      ...(asked === undefined ? {} : { endpointsAskedAt: new Date(asked).toISOString() })
    }
    const body = JSON.stringify(state === undefined
      ? { status: 'no valid token', ...where }
      : { status: 'ok', ...where, account: state.account, expiresAt: new Date(state.expiresAt).toISOString() })
    res.writeHead(state === undefined ? 503 : 200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }).end(body)
  }

  const createServer = (listener: Listener): http.Server => {
    /** The refusal for a request a web page sent, logged; undefined when it may pass. */
    const refusal = (req: http.IncomingMessage): string | undefined => {
      const message = guard(req.headers, listener)
      if (message !== undefined) log.warn({ method: req.method, path: req.url, host: req.headers.host, origin: req.headers.origin }, message)
      return message
    }
    const server = http.createServer(DOCKER_SERVER_OPTIONS, (req, res) => {
      const refused = refusal(req)
      if (refused !== undefined) sendDockerError(res, 403, refused, { connection: 'close' })
      else if (req.url === PATHS.health) health(res)
      // Calls for one node (DOCKER_HOST=tcp://...:PORT/_swarmgate/v1/nodes/<node>) go to the swarm like any Docker API call.
      else if (req.url?.startsWith(RESERVED_PREFIX) === true && !req.url.startsWith(PATHS.nodes)) {
        // The swarm's own token service is not for the local CLI: it would carry credentials through.
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'swarmgate: not found' }))
      } else relay.handleRequest(req, res).catch((err: unknown) => { logger.error({ err }, 'call failed'); res.destroy() })
    })
    serveDockerApi(server, {
      upgrade: async (req, socket, head) => {
        const refused = refusal(req)
        if (refused !== undefined) writeDockerErrorToSocket(socket, 403, refused)
        else await relay.handleUpgrade(req, socket, head)
      },
      sockets,
      logger
    })
    if (relayed !== undefined) interceptConnections(server, (socket, careful) => { relayed.serve(socket, listener, careful) })
    return server
  }
  const server = createServer('tcp')
  const socketServer = config.socket === undefined ? undefined : createServer('unix')

  return {
    server,
    socketServer,
    keeper,
    endpoints,
    close: async () => {
      keeper.stop()
      endpoints.stop()
      watch.stop()
      for (const socket of sockets) socket.destroy()
      await Promise.all([server, socketServer].map(async (s) => {
        if (s?.listening === true) await new Promise<void>((resolve) => s.close(() => resolve()))
      }))
      await upstream.close()
    }
  }
}
