/**
 * The swarm's managers as one upstream. Calls go to the current endpoint; when it cannot be
 * reached the next one becomes current (managers are equivalent: each runs a server-proxy in
 * front of its own engine, and the swarm API answers the same on every manager).
 */
import type { Duplex } from 'node:stream'
import { Agent } from 'undici'
import { STREAM_POOL_OPTIONS, type Logger, type Upstream } from '@swarmgate/core'
import { connectPinned, type Endpoint, type Trust } from './pinned-tls.js'

export class SwarmUpstream implements Upstream {
  readonly dispatcher: Agent
  readonly #endpoints: readonly Endpoint[]
  readonly #trust: Trust
  readonly #log: Logger
  #current = 0

  constructor (endpoints: readonly Endpoint[], trust: Trust, logger: Logger) {
    this.#endpoints = endpoints
    this.#trust = trust
    this.#log = logger.child({ module: 'swarm-upstream' })
    this.dispatcher = new Agent({
      ...STREAM_POOL_OPTIONS,
      connect: (opts, callback) => {
        connectPinned({ host: opts.hostname, port: Number(opts.port) }, this.#trust)
          .then((socket) => { callback(null, socket) }, (err: Error) => { callback(err, null) })
      }
    })
  }

  get endpoint (): Endpoint { return this.#endpoints[this.#current] as Endpoint }

  get name (): string { return `the swarm at ${formatEndpoint(this.endpoint)}` }

  get origin (): string { return `https://${formatEndpoint(this.endpoint)}` }

  get count (): number { return this.#endpoints.length }

  /** Makes the next endpoint current after `failed` could not be reached. */
  failover (failed: Endpoint, err: Error): void {
    if (failed !== this.endpoint || this.#endpoints.length < 2) return
    this.#current = (this.#current + 1) % this.#endpoints.length
    this.#log.warn({ failed: formatEndpoint(failed), next: formatEndpoint(this.endpoint), err }, 'endpoint unreachable, failing over')
  }

  /** Opens a hijack connection, trying each endpoint once from the current one on. */
  async connect (): Promise<Duplex> {
    let last: Error | undefined
    for (let i = 0; i < this.#endpoints.length; i++) {
      const endpoint = this.endpoint
      try {
        return await connectPinned(endpoint, this.#trust)
      } catch (err) {
        last = err as Error
        if ((err as { code?: string }).code === 'SG_ERR_TLS_PIN_MISMATCH') throw err
        this.failover(endpoint, last)
      }
    }
    throw last as Error
  }

  async close (): Promise<void> { await this.dispatcher.close() }
}

export function formatEndpoint (e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`
}
