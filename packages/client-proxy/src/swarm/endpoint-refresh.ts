/**
 * Keeps the endpoint list current: asks a healthy manager where the swarm's managers are now
 * (PATHS.endpoints, with the access token, over the pinned connection every call uses) at start,
 * every REFRESH_MS, and soon after an endpoint turned unhealthy (a manager may have been removed
 * or replaced). SwarmUpstream.adopt decides whether the answer replaces the list: nothing is ever
 * added that the swarm did not vouch for over a pinned, authenticated connection.
 */
import { PATHS, formatEndpoint, type EndpointList, type Logger } from '@swarmgate/core'
import { parseEndpoint, type Endpoint } from '../pinned-tls.js'
import { describe, type SwarmUpstream } from './upstream.js'

/** Where the access token for the list request comes from (client-proxy's TokenKeeper): only this, so the swarm's concepts import nothing above them. */
export interface AccessTokens {
  token: () => Promise<string>
}

const REFRESH_MS = 60_000
/** After a failure the list is asked again this soon: the swarm may be electing a leader. */
const RETRY_MS = 5_000
const DEADLINE_MS = 10_000

export class EndpointRefresh {
  readonly #upstream: SwarmUpstream
  readonly #keeper: AccessTokens
  readonly #log: Logger
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false
  #answeredAt: number | undefined

  constructor (upstream: SwarmUpstream, keeper: AccessTokens, logger: Logger) {
    this.#upstream = upstream
    this.#keeper = keeper
    this.#log = logger.child({ module: 'endpoint-refresh' })
  }

  /** When a manager last answered the question, whatever it said; undefined before. */
  get answeredAt (): number | undefined { return this.#answeredAt }

  /** Asks now and then every REFRESH_MS. */
  start (): void { this.soon(0) }

  /** Asks again after `ms` unless asked sooner already. */
  soon (ms = RETRY_MS): void {
    if (this.#stopped) return
    clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#running ??= this.refresh().finally(() => { this.#running = undefined })
    }, ms)
    this.#timer.unref()
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  /** Asks one healthy manager for the list and hands it to the upstream. */
  async refresh (): Promise<void> {
    const endpoint = this.#upstream.pick()
    try {
      if (endpoint === undefined) throw new Error('no healthy manager to ask')
      const token = await this.#keeper.token()
      const res = await this.#upstream.dispatcher.request({
        origin: this.#upstream.originOf(endpoint),
        path: PATHS.endpoints,
        method: 'GET',
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        headersTimeout: DEADLINE_MS,
        bodyTimeout: DEADLINE_MS
      })
      const text = await res.body.text()
      this.#answeredAt = Date.now()
      // 404: a server-proxy older than this list; it keeps the list the client was given.
      if (res.statusCode === 404) { this.soon(REFRESH_MS); return }
      if (res.statusCode !== 200) throw new Error(`${PATHS.endpoints} answered ${res.statusCode}: ${text.slice(0, 200)}`)
      const listed = parseList(text)
      if (listed === undefined) throw new Error(`${PATHS.endpoints} answered something that is not an endpoint list`)
      this.#upstream.adopt(listed, endpoint)
      this.soon(REFRESH_MS)
    } catch (err) {
      this.#log.info({ endpoint: endpoint === undefined ? undefined : formatEndpoint(endpoint.host, endpoint.port), err: describe(err) }, 'could not refresh the endpoint list')
      this.soon(RETRY_MS)
    }
  }
}

/** The endpoints of an EndpointList answer; undefined when any is malformed. */
function parseList (text: string): Endpoint[] | undefined {
  try {
    const doc = JSON.parse(text) as Partial<EndpointList>
    if (!Array.isArray(doc.endpoints) || doc.endpoints.length === 0) return undefined
    const parsed = doc.endpoints.map((e) => typeof e === 'string' ? parseEndpoint(e) : undefined)
    return parsed.every((e) => e !== undefined) ? parsed : undefined
  } catch {
    return undefined
  }
}
