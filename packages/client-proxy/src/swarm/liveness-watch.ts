/**
 * Notices a manager that stopped answering (powered off, its link down: packets vanish, nothing
 * is refused) without ever cutting a call for being slow (docs/protocol.md, "Deadlines").
 *
 * No call gets a deadline of its own: `docker stop -t 30`, `commit` or `swarm init` legitimately
 * take long before their answer's head, and `logs -f`, `events`, `wait` or an attach may be
 * silent for hours after it. Instead, when a call has waited SUSPECT_MS for its head, and
 * nothing else was heard from that endpoint meanwhile, the endpoint is asked a cheap question
 * (server-proxy's JWKS, which needs no engine) over a fresh connection within the endpoint's
 * deadline. Any answer proves it alive and the call keeps waiting. A refusal or a reset marks it
 * lost, which closes every connection to it, so pending calls fail at once and are retried
 * elsewhere, and open streams end with an error. A missed deadline only makes it suspect: a
 * loaded manager misses one and is still healthy, and taking it for lost would cut its streams
 * and calls. New calls go elsewhere and calls that can be sent again (reads) are, at once, so
 * failover is as quick as before; the others wait while it is asked again with a longer deadline
 * (the upstream's escalation), and only a second miss in a row marks it lost. While connections
 * are open (streams, attaches, pooled ones) it is asked every HEARTBEAT_MS as well, so a quiet
 * stream on a lost manager does not hang.
 * Calls through the pool are seen through its dispatcher (track); the byte relay's calls, each on
 * a connection of its own, report when they were sent and first answered (wait).
 */
import type { Dispatcher } from 'undici'
import { DRAINING_HEADER, PATHS, formatEndpoint, type Logger } from '@swarmgate/core'
import type { Endpoint, Trust } from '../pinned-tls.js'
import type { SwarmUpstream } from './upstream.js'
import { describe, missedDeadline } from './upstream.js'
import { probeEndpoint } from './probe.js'
import { errors } from '../errors.js'

/** A call without its answer's head this long makes the watch ask whether its endpoint is alive. */
const SUSPECT_MS = 400
/** Endpoints with open connections are asked at least this often. */
const HEARTBEAT_MS = 5_000
const TICK_MS = 50
/** Liveness checks missed in a row that mark an endpoint lost; the second has a longer deadline. */
const LOST_AFTER_MISSES = 2

interface PendingCall {
  readonly started: number
  /** Set for a call sent again elsewhere when it fails before its answer (a read): abandoned when its endpoint misses a deadline. */
  abandon: ((err: Error) => void) | undefined
}

interface Watched {
  readonly endpoint: Endpoint
  /** Calls waiting for their answer's head. */
  readonly pending: Set<PendingCall>
  /** When the endpoint was last heard from: an answer's head or a liveness answer. */
  lastAlive: number
  checking: boolean
  /** Liveness checks in a row whose deadline it missed. */
  misses: number
}

/** True when an answer's raw headers say its server-proxy is shutting down (DRAINING_HEADER: 1). */
function draining (rawHeaders: readonly Buffer[]): boolean {
  const name = DRAINING_HEADER.toLowerCase()
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toString('latin1').toLowerCase() === name && rawHeaders[i + 1]?.toString('latin1').trim() === '1') return true
  }
  return false
}

/** Sees a watched call's answer: its raw headers, each chunk as it is passed on, and its failure before the caller does. */
export interface AnswerObserver {
  headers (rawHeaders: readonly Buffer[]): void
  data (chunk: Buffer): void
  failed (err: Error): void
}

/** One call being watched, whatever carries it. */
export interface Waiting {
  /** The answer's head arrived (a hijacked call's first bytes): the call may now be silent. */
  heard (): void
  /** Ends the watch of this call (idempotent). */
  done (): void
}

/** One call through the pool being watched. */
export interface WatchedCall extends Waiting {
  /** The pool as this call sees it: it tells the watch when the answer's head arrives. */
  readonly dispatcher: Dispatcher
}

export class LivenessWatch {
  readonly #upstream: SwarmUpstream
  readonly #trust: Trust
  readonly #log: Logger
  readonly #watched = new Map<string, Watched>()
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor (upstream: SwarmUpstream, trust: Trust, logger: Logger) {
    this.#upstream = upstream
    this.#trust = trust
    this.#log = logger.child({ module: 'liveness-watch' })
  }

  /**
   * Starts watching one call to `endpoint` that its carrier reports on itself (the byte relay's
   * calls, on connections of their own): the same deadline as a call through the pool.
   * `abandon`, for a call its carrier sends again elsewhere when its connection is lost before the
   * answer (a read): called when its endpoint misses a liveness deadline.
   */
  wait (endpoint: Endpoint, abandon?: (err: Error) => void): Waiting {
    const { call, waiting } = this.#pend(endpoint)
    call.abandon = abandon
    return waiting
  }

  /** `endpoint` answered that its server-proxy is shutting down (DRAINING_HEADER): new calls go elsewhere. */
  leaving (endpoint: Endpoint): void {
    this.#upstream.markUnhealthy(endpoint, 'its server-proxy is shutting down (it answered with X-Swarmgate-Draining)', false)
  }

  /**
   * Starts watching one call to `endpoint` through the pool; `observer` sees its answer as it
   * passes. `resend`: the caller sends the call again elsewhere when it fails before its answer
   * (a read), so it is abandoned as soon as its endpoint misses a liveness deadline.
   */
  track (endpoint: Endpoint, observer?: AnswerObserver, resend = false): WatchedCall {
    const { call, waiting: { heard, done } } = this.#pend(endpoint)
    const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => dispatch(opts, {
      onConnect: (abort) => {
        if (resend) call.abandon = abort
        handler.onConnect?.(abort)
      },
      onHeaders: (status, headers, resume, text) => {
        heard()
        if (draining(headers)) this.leaving(endpoint)
        observer?.headers(headers)
        return handler.onHeaders?.(status, headers, resume, text) ?? true
      },
      onData: (chunk) => { observer?.data(chunk); return handler.onData?.(chunk) ?? true },
      onComplete: (trailers) => { done(); handler.onComplete?.(trailers) },
      onError: (err) => { done(); observer?.failed(err); handler.onError?.(err) }
    })
    return { dispatcher: this.#upstream.dispatcher.compose(interceptor), heard, done }
  }

  #pend (endpoint: Endpoint): { call: PendingCall, waiting: Waiting } {
    const watched = this.#entry(endpoint)
    const call: PendingCall = { started: Date.now(), abandon: undefined }
    watched.pending.add(call)
    this.#wake()
    const done = (): void => { watched.pending.delete(call) }
    return { call, waiting: { heard: () => { done(); watched.lastAlive = Date.now() }, done } }
  }

  #wake (): void {
    if (this.#timer !== undefined || this.#stopped) return
    this.#timer = setInterval(() => { this.#tick() }, TICK_MS)
    this.#timer.unref()
  }

  stop (): void {
    this.#stopped = true
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #entry (endpoint: Endpoint): Watched {
    const key = formatEndpoint(endpoint.host, endpoint.port)
    let watched = this.#watched.get(key)
    if (watched === undefined) {
      watched = { endpoint, pending: new Set(), lastAlive: Date.now(), checking: false, misses: 0 }
      this.#watched.set(key, watched)
    }
    return watched
  }

  #tick (): void {
    const now = Date.now()
    for (const endpoint of this.#upstream.inUse()) this.#entry(endpoint)
    let busy = false
    for (const [key, watched] of this.#watched) {
      const open = this.#upstream.openConnections(watched.endpoint)
      if (watched.pending.size === 0 && open === 0) {
        if (!watched.checking) this.#watched.delete(key)
        continue
      }
      busy = true
      if (watched.checking) continue
      // A call waiting SUSPECT_MS for its head with nothing heard from its endpoint since then is
      // suspect once; after an answer it is as slow as it may be, and only the heartbeat goes on.
      let suspect = false
      for (const call of watched.pending) if (now - call.started > SUSPECT_MS && watched.lastAlive < call.started + SUSPECT_MS) suspect = true
      // A first miss is asked again at once, with a longer deadline.
      if (suspect || watched.misses > 0 || (open > 0 && now - watched.lastAlive > HEARTBEAT_MS)) this.#check(watched)
    }
    if (!busy && this.#watched.size === 0) {
      clearInterval(this.#timer)
      this.#timer = undefined
    }
  }

  #check (watched: Watched): void {
    watched.checking = true
    const deadlineMs = this.#upstream.deadlineMs(watched.endpoint)
    const key = formatEndpoint(watched.endpoint.host, watched.endpoint.port)
    probeEndpoint(watched.endpoint, this.#trust, PATHS.jwks, { deadlineMs }).then((answer) => {
      watched.lastAlive = Date.now()
      watched.misses = 0
      this.#upstream.answered(watched.endpoint, answer.connectMs)
    }, (err: unknown) => {
      if (missedDeadline(err) && ++watched.misses < LOST_AFTER_MISSES) {
        this.#log.warn({ endpoint: key, err: describe(err), waiting: watched.pending.size }, 'endpoint missed a liveness deadline: new calls go elsewhere, reads are sent again, and it is asked again with a longer deadline')
        this.#upstream.markUnhealthy(watched.endpoint, err as Error, false)
        const abandoned = errors.SG_ERR_ENDPOINT_LOST(`${key} did not answer within ${deadlineMs} ms`)
        for (const call of watched.pending) call.abandon?.(abandoned)
        return
      }
      watched.lastAlive = Date.now()
      watched.misses = 0
      this.#log.warn({ endpoint: key, err: describe(err), waiting: watched.pending.size }, 'endpoint did not answer a liveness check: closing its connections')
      this.#upstream.markLost(watched.endpoint, `no answer within ${deadlineMs} ms: ${describe(err)}`)
    }).finally(() => { watched.checking = false })
  }
}
