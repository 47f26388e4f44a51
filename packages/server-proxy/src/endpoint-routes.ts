/**
 * The swarm's current endpoints for client-proxy (PATHS.endpoints, docs/protocol.md): where each
 * manager's server-proxy is reached now, so a client keeps its list current while managers are
 * added, promoted, demoted or removed, without anyone editing the client command. Only for a
 * valid access token: the managers' addresses are not for whoever can open a TLS connection.
 *
 * The list is, in order of precedence: --advertise-endpoint; the endpoints registration was given
 * with --endpoint (addresses behind NAT or DNS names, kept on the service's labels); or every
 * manager's advertise address (the engine's /nodes) with the port the service publishes.
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyInstance, FastifyReply } from 'fastify'
import {
  ERROR_HEADER, PATHS, REGISTRATION_LABELS, SwarmgateError, describeUpstreamError, formatEndpoint, managerHosts,
  type EndpointList, type Service, type SwarmNode, type Upstream
} from '@swarmgate/core'
import { errors } from './errors.js'

export interface EndpointRoutesOptions {
  /** The swarm's name, such as alice/prod. */
  readonly swarm: string
  readonly engine: Upstream
  /** --advertise-endpoint: when given, the answer as it is. */
  readonly advertised: readonly string[]
  /** The port server-proxy listens on (in its task; the service may publish it under another). */
  readonly listenPort: () => number
  /** Resolves for a call whose access token is valid; throws the 401 refusal otherwise. */
  readonly authenticate: (req: IncomingMessage) => Promise<unknown>
}

/** A client-proxy asks about once a minute; a swarm's managers change far less often. */
const CACHE_MS = 5_000
const ENGINE_DEADLINE_MS = 5_000

function refuse (reply: FastifyReply, err: SwarmgateError): FastifyReply {
  return reply.code(err.statusCode ?? 500).header(ERROR_HEADER, err.code).header('cache-control', 'no-store')
    .type('application/json').send({ message: err.message })
}

/** Registers GET PATHS.endpoints. */
export async function endpointRoutes (app: FastifyInstance, opts: EndpointRoutesOptions): Promise<void> {
  let cached: { at: number, list: Promise<string[]> } | undefined

  const engineJson = async <T>(path: string): Promise<T> => {
    let res
    try {
      res = await opts.engine.dispatcher.request({ origin: opts.engine.origin, path, method: 'GET', headersTimeout: ENGINE_DEADLINE_MS, bodyTimeout: ENGINE_DEADLINE_MS })
    } catch (err) {
      throw errors.SG_ERR_ENGINE_UNREACHABLE(describeUpstreamError(err as Error, opts.engine.name).message.replace(/^swarmgate: /, ''), err)
    }
    if (res.statusCode !== 200) {
      // A swarm without a leader answers /nodes with 503 and says so.
      const message = (await res.body.json().catch(() => undefined) as { message?: string } | undefined)?.message
      throw errors.SG_ERR_ENDPOINTS_UNKNOWN(`GET ${path} answered ${res.statusCode}${message === undefined ? '' : `: ${message}`}`)
    }
    return await res.body.json() as T
  }

  const current = async (): Promise<string[]> => {
    if (opts.advertised.length > 0) return [...opts.advertised]
    const filter = (f: Record<string, string[]>): string => encodeURIComponent(JSON.stringify(f))
    const services = await engineJson<Service[]>(`/services?filters=${filter({ label: [`${REGISTRATION_LABELS.component}=server-proxy`] })}`)
    const spec = services.find((s) => s.Spec.Labels?.[REGISTRATION_LABELS.swarm] === opts.swarm)?.Spec
    const labels = spec?.Labels ?? {}
    if (labels[REGISTRATION_LABELS.endpointsGiven] === 'true') {
      return (labels[REGISTRATION_LABELS.endpoints] ?? '').split(',').filter((e) => e !== '')
    }
    const listening = opts.listenPort()
    const port = spec?.EndpointSpec?.Ports?.find((p) => p.TargetPort === listening)?.PublishedPort ?? listening
    const nodes = await engineJson<SwarmNode[]>(`/nodes?filters=${filter({ role: ['manager'] })}`)
    return managerHosts(nodes).map((host) => formatEndpoint(host, port))
  }

  app.get(PATHS.endpoints, async (req, reply) => {
    try {
      await opts.authenticate(req.raw)
    } catch (err) {
      if (err instanceof SwarmgateError) return refuse(reply, err)
      throw err
    }
    if (cached === undefined || Date.now() - cached.at > CACHE_MS) {
      const list = current()
      cached = { at: Date.now(), list }
      // A failure is not kept: the next call asks again.
      list.catch(() => { if (cached?.list === list) cached = undefined })
    }
    try {
      const answer: EndpointList = { swarm: opts.swarm, endpoints: await cached.list }
      return await reply.header('cache-control', 'no-store').send(answer)
    } catch (err) {
      if (err instanceof SwarmgateError) return refuse(reply, err)
      throw err
    }
  })
}
