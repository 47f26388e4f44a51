/**
 * client-proxy's fast path (issue 14; --relay): each docker CLI connection is pinned to one TLS
 * connection to a healthy manager (SwarmUpstream.connect) and calls are relayed as bytes (core's
 * relay) with the current access token put in their Authorization header. Whatever the careful
 * path (DockerRelay) does more than that stays there: the browser guard's refusals, the reserved
 * prefix, hijacks, calls on an exec (sent to the manager that created it), calls whose small body
 * it reads so it can send them again (Content-Length up to REPLAY_MAX_BYTES), and, for calls
 * without a body, a 401 (renewed token), an answer server-proxy made itself (X-Swarmgate-Error:
 * sent again elsewhere or explained) and, for reads, a manager lost before answering: those calls
 * are handed to it, with the connection from then on.
 *
 * The liveness watch sees every relayed call as it sees the careful path's: waiting from the
 * moment it went upstream until its answer's first bytes, so a manager cut off without a reset is
 * found within the same deadline, its connections closed, and a read handed to the careful path
 * to be sent elsewhere.
 */
import type { Duplex } from 'node:stream'
import {
  DRAINING_HEADER, ERROR_HEADER, RESERVED_PREFIX, buildHead, headerValues, onlyReads, relayConnection, withoutHeaders,
  type RelayRequest, type RelayVerdict
} from '@swarmgate/core'
import type { Endpoint } from './pinned-tls.js'
import { execOf, type LivenessWatch, type SwarmUpstream, type Waiting } from './swarm/index.js'
import type { TokenKeeper } from './token-keeper.js'
import type { BrowserGuard, Listener } from './browser-guard.js'
import { REPLAY_MAX_BYTES, endpointLost } from './docker-relay.js'
import { errors } from './errors.js'

const DROP = new Set(['authorization'])
const HIJACKED = /^(?:\/v[0-9.]+)?\/(?:containers\/[^/]+\/attach|exec\/[^/]+\/start|session|grpc)(?:\?|$)/
const CAREFUL: RelayVerdict = { kind: 'careful' }
/**
 * Streams the careful path ends with a sentence when their manager is lost (stream-tail.ts: logs,
 * progress streams); long calls, where the relay would save nothing worth having.
 */
const LAST_WORDS = /^(?:\/v[\d.]+)?\/(?:containers\/[^/?]+\/logs|images\/create|images\/.+\/push|images\/load|build|plugins\/pull|plugins\/.+\/(?:upgrade|push))(?:\?|$)/

/** One CLI connection's manager and the call on it the liveness watch waits for. */
class WatchedConnection {
  readonly #watch: LivenessWatch
  endpoint: Endpoint | undefined
  /** The connection to it: dropped when a call that is sent again when lost (a read) waits on a manager that missed a deadline. */
  upstream: Duplex | undefined
  #call: Waiting | undefined

  constructor (watch: LivenessWatch) { this.#watch = watch }

  readonly sent = (resend: boolean): void => {
    this.over()
    if (this.endpoint !== undefined) this.#call = this.#watch.wait(this.endpoint, resend ? (err) => { this.upstream?.destroy(err) } : undefined)
  }
  readonly answered = (): void => { this.#call?.heard() }
  /** Its server-proxy said it is shutting down: the next connections go to another manager. */
  readonly leaving = (): void => { if (this.endpoint !== undefined) this.#watch.leaving(this.endpoint) }
  readonly over = (): void => { this.#call?.done(); this.#call = undefined }
}

/**
 * A CLI connection's last relayed call, for its next call with the same head: its checks passed,
 * and the head sent on with the token in it. (A call left to the careful path is not kept: the
 * connection goes there with it for good.)
 */
interface Kept {
  readonly request: RelayRequest
  readonly token: string
  readonly head: Buffer
}

export class RelayedCalls {
  readonly #upstream: SwarmUpstream
  readonly #watch: LivenessWatch
  readonly #keeper: TokenKeeper
  readonly #guard: BrowserGuard

  constructor (upstream: SwarmUpstream, watch: LivenessWatch, keeper: TokenKeeper, guard: BrowserGuard) {
    this.#upstream = upstream
    this.#watch = watch
    this.#keeper = keeper
    this.#guard = guard
  }

  /** Serves a new CLI connection from `listener`; `careful` gives it to node:http and DockerRelay. */
  serve (socket: Duplex, listener: Listener, careful: (socket: Duplex) => void): void {
    const watched = new WatchedConnection(this.#watch)
    socket.once('close', watched.over)
    // A call repeated is not checked again (its checks read nothing but the head), nor its head
    // written again while the token is the same.
    let last: Kept | undefined
    const headFor = (request: RelayRequest, token: string): Buffer => {
      if (last?.request !== request || last.token !== token) last = { request, token, head: headWithToken(request, token) }
      return last.head
    }
    relayConnection(socket, {
      decide: (request) => this.#decide(request, listener, watched, last?.request === request, headFor),
      connect: async () => {
        // An idle connection a previous CLI connection left saves a TLS handshake (idle-connections.ts).
        const { socket: upstream, endpoint } = await this.#upstream.connect(true)
        watched.endpoint = endpoint
        watched.upstream = upstream
        return upstream
      },
      handover: (s) => { watched.over(); careful(s) },
      release: (upstream) => {
        watched.upstream = undefined
        if (watched.endpoint === undefined) upstream.destroy()
        else this.#upstream.release(watched.endpoint, upstream)
      }
    })
  }

  /** The verdict on one call: at once when a valid token is held, which is nearly always. */
  #decide (request: RelayRequest, listener: Listener, watched: WatchedConnection, relayedBefore: boolean, headFor: (request: RelayRequest, token: string) => Buffer): RelayVerdict | Promise<RelayVerdict> {
    if (!relayedBefore && !this.#relayable(request, listener)) return CAREFUL
    const verdict = (token: string): RelayVerdict => relayVerdict(request, headFor(request, token), watched)
    const held = this.#keeper.held
    if (held !== undefined) return verdict(held)
    return this.#keeper.token().then(verdict, () => CAREFUL)
  }

  /** Whether the relay may take `request` at all (see the file's comment); the rest is the careful path's. */
  #relayable (request: RelayRequest, listener: Listener): boolean {
    const { method, target, rawHeaders, framing } = request
    // A call on an exec goes to the manager that created it, which the careful path knows.
    if (target.startsWith(RESERVED_PREFIX) || (method === 'POST' && HIJACKED.test(target)) || execOf(target) !== undefined) return false
    if (framing.kind === 'length' && framing.length <= REPLAY_MAX_BYTES) return false
    if (LAST_WORDS.test(target)) return false
    const headers = singleHeaders(rawHeaders)
    // The guard's refusal (a web page's request) is answered and logged by the careful path.
    return headers !== undefined && this.#guard(headers, listener) === undefined
  }
}

/** The head of `request` as sent on: its own Authorization header, if any, replaced by `token`. */
function headWithToken (request: RelayRequest, token: string): Buffer {
  return buildHead([request.method, request.target, 'HTTP/1.1'], [...withoutHeaders(request.rawHeaders, DROP), 'Authorization', `Bearer ${token}`])
}

/** Relays `request` with `head`; the careful path takes back what it handles better (see the file's comment). */
function relayVerdict (request: RelayRequest, head: Buffer, watched: WatchedConnection): RelayVerdict {
  const { method, target, framing } = request
  const bodyless = framing.kind === 'none'
  const resend = bodyless && onlyReads(method)
  return {
    kind: 'relay',
    head,
    onResponse: (status, responseHeaders) => {
      if (headerValues(responseHeaders, DRAINING_HEADER.toLowerCase()).includes('1')) watched.leaving()
      return bodyless && (status === 401 || headerValues(responseHeaders, ERROR_HEADER.toLowerCase()).length > 0) ? 'careful' : 'pass'
    },
    resendWhenLost: resend,
    lostBeforeAnswer: () => watched.endpoint === undefined ? errors.SG_ERR_ENDPOINT_LOST().message : endpointLost(watched.endpoint, method, target).message,
    sent: () => { watched.sent(resend) },
    answered: watched.answered,
    ended: watched.over
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
