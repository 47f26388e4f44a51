/**
 * client-proxy's fast path (issue 14; --relay): each docker CLI connection is pinned to one TLS
 * connection to a healthy manager (SwarmUpstream.connect) and calls are relayed as bytes (core's
 * relay) with the current access token put in their Authorization header. Whatever the careful
 * path (DockerRelay) does more than that stays there: the browser guard's refusals, the reserved
 * prefix, hijacks, calls whose small body it reads so it can send them again (Content-Length up to
 * REPLAY_MAX_BYTES), and, for calls without a body, a 401 (renewed token), an answer server-proxy
 * made itself (X-Swarmgate-Error: sent again elsewhere or explained) and, for reads, a manager
 * lost before answering: those calls are handed to it, with the connection from then on.
 */
import type { Duplex } from 'node:stream'
import {
  ERROR_HEADER, RESERVED_PREFIX, buildHead, headerValues, relayConnection, withoutHeaders,
  type RelayRequest, type RelayVerdict
} from '@swarmgate/core'
import type { SwarmUpstream } from './swarm/index.js'
import type { TokenKeeper } from './token-keeper.js'
import type { BrowserGuard, Listener } from './browser-guard.js'
import { REPLAY_MAX_BYTES } from './docker-relay.js'

const DROP = new Set(['authorization'])
const READS = new Set(['GET', 'HEAD'])
const HIJACKED = /^(?:\/v[0-9.]+)?\/(?:containers\/[^/]+\/attach|exec\/[^/]+\/start|session|grpc)(?:\?|$)/

export class RelayedCalls {
  readonly #upstream: SwarmUpstream
  readonly #keeper: TokenKeeper
  readonly #guard: BrowserGuard

  constructor (upstream: SwarmUpstream, keeper: TokenKeeper, guard: BrowserGuard) {
    this.#upstream = upstream
    this.#keeper = keeper
    this.#guard = guard
  }

  /** Serves a new CLI connection from `listener`; `careful` gives it to node:http and DockerRelay. */
  serve (socket: Duplex, listener: Listener, careful: (socket: Duplex) => void): void {
    relayConnection(socket, {
      decide: async (request) => await this.#decide(request, listener),
      connect: async () => (await this.#upstream.connect()).socket,
      handover: careful
    })
  }

  async #decide (request: RelayRequest, listener: Listener): Promise<RelayVerdict> {
    const { method, target, rawHeaders, framing } = request
    if (target.startsWith(RESERVED_PREFIX) || (method === 'POST' && HIJACKED.test(target))) return { kind: 'careful' }
    if (framing.kind === 'length' && framing.length <= REPLAY_MAX_BYTES) return { kind: 'careful' }
    const headers = singleHeaders(rawHeaders)
    // The guard's refusal (a web page's request) is answered and logged by the careful path.
    if (headers === undefined || this.#guard(headers, listener) !== undefined) return { kind: 'careful' }
    let token: string
    try {
      token = await this.#keeper.token()
    } catch {
      return { kind: 'careful' }
    }
    const bodyless = framing.kind === 'none'
    return {
      kind: 'relay',
      head: buildHead([method, target, 'HTTP/1.1'], [...withoutHeaders(rawHeaders, DROP), 'Authorization', `Bearer ${token}`]),
      onResponse: (status, responseHeaders) => bodyless && (status === 401 || headerValues(responseHeaders, ERROR_HEADER.toLowerCase()).length > 0) ? 'careful' : 'pass',
      resendWhenLost: bodyless && READS.has(method)
    }
  }
}

/** Headers by lower-case name; undefined when a name repeats (the careful path reads those as node:http does). */
function singleHeaders (rawHeaders: readonly string[]): Record<string, string> | undefined {
  const out: Record<string, string> = {}
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    if (out[name] !== undefined) return undefined
    out[name] = rawHeaders[i + 1] as string
  }
  return out
}
