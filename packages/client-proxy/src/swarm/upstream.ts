/**
 * The swarm's managers as one upstream (docs/protocol.md, "Failover"). Managers are equivalent:
 * each runs a server-proxy in front of its own engine and the swarm API answers the same on every
 * one. Calls go to the current endpoint while it is healthy. An endpoint that cannot be reached,
 * stops answering (the liveness watch decides) or whose engine is gone (its server-proxy says so)
 * is unhealthy: the next healthy one becomes current, and the unhealthy one is probed in the
 * background with server-proxy's health endpoint until it answers 200, then used again when its
 * turn comes. The list itself follows the swarm (adopt, from PATHS.endpoints).
 */
import type { Duplex } from 'node:stream'
import type { TLSSocket } from 'node:tls'
import { Agent, type Dispatcher } from 'undici'
import { PATHS, STREAM_POOL_OPTIONS, formatEndpoint, type Logger, type Upstream } from '@swarmgate/core'
import { connectPinned, type Endpoint, type Trust } from '../pinned-tls.js'
import { probeEndpoint } from './probe.js'
import { IdleConnections } from './idle-connections.js'
import { errors } from '../errors.js'

/** What the client-proxy health endpoint shows of each endpoint. */
export interface EndpointStatus {
  readonly endpoint: string
  readonly healthy: boolean
  /** Why it is not healthy. */
  readonly reason?: string
}

interface State {
  readonly endpoint: Endpoint
  readonly key: string
  healthy: boolean
  reason: string | undefined
  /** True when server-proxy itself answered that it cannot serve (its engine is gone): it can still say why. */
  answering: boolean
  /** Every connection open to it, pooled and hijacked, so all can be closed when it is lost. */
  readonly sockets: Set<Duplex>
  /** How long the last connect and TLS handshake took: deadlines follow the path's own speed. */
  handshakeMs: number | undefined
  /** Deadlines missed in a row since it last answered: each one lengthens the next deadline (ESCALATION). */
  misses: number
  /** True when its last failure was a missed deadline (slow or gone), not a refusal or a reset. */
  timedOut: boolean
  probe: Promise<boolean> | undefined
  timer: NodeJS.Timeout | undefined
  backoffMs: number
  /** False once the list no longer has it: its probes stop. */
  listed: boolean
}

/** Deadline for an endpoint never connected to yet. */
const FIRST_DEADLINE_MS = 3_000
/** Deadlines are this many times the last handshake, within MIN..MAX: a LAN gets 1 s, a 300 ms path 3 s or more. */
const DEADLINE_FACTOR = 5
const MIN_DEADLINE_MS = 1_000
const MAX_DEADLINE_MS = 5_000
/**
 * A loaded manager may be slower than its deadline and still healthy: after each deadline it
 * missed in a row the next is this many times longer (at most MAX_DEADLINE_MS), until it answers.
 * A manager that refused or reset is gone, whatever its deadline: only missed deadlines escalate.
 */
const ESCALATION = [1, 2, 4] as const
/** Background health probes of an unhealthy endpoint: soon at first, then every 2 s. */
const PROBE_BACKOFF_MS = [250, 500, 1_000, 2_000] as const

export class SwarmUpstream {
  readonly dispatcher: Agent
  readonly #trust: Trust
  readonly #log: Logger
  #states: State[]
  #current: State
  #stopped = false
  #round: Promise<State | undefined> | undefined
  readonly #unhealthyListeners: Array<() => void> = []
  #roundEnded = 0
  /** Errors of opening a pooled connection: whatever their code, no request was sent on it. */
  readonly #connectErrors = new WeakSet<Error>()
  /** The relay's connections between two CLI connections (idle-connections.ts). */
  readonly #idle = new IdleConnections()

  constructor (endpoints: readonly Endpoint[], trust: Trust, logger: Logger) {
    this.#trust = trust
    this.#log = logger.child({ module: 'swarm-upstream' })
    this.#states = endpoints.map((e) => this.#newState(e))
    this.#current = this.#states[0] as State
    this.dispatcher = new Agent({
      ...STREAM_POOL_OPTIONS,
      connect: (opts, callback) => {
        const endpoint = { host: opts.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(opts.port) }
        this.#open(endpoint).then((socket) => { callback(null, socket) }, (err: Error) => { this.#connectErrors.add(err); callback(err, null) })
      }
    })
  }

  /** The endpoint calls go to now (the current one, even when nothing is healthy). */
  get endpoint (): Endpoint { return this.#current.endpoint }

  get count (): number { return this.#states.length }

  /** Every endpoint and its health. */
  status (): EndpointStatus[] {
    return this.#states.map((s) => s.healthy ? { endpoint: s.key, healthy: true } : { endpoint: s.key, healthy: false, reason: s.reason ?? 'unknown' })
  }

  /** The endpoints, in order, as `host:port`. */
  list (): string[] { return this.#states.map((s) => s.key) }

  /** The deadline for connecting to and hearing from `endpoint`, longer after each deadline it missed in a row. */
  deadlineMs (endpoint: Endpoint): number {
    const state = this.#state(endpoint)
    const ms = state?.handshakeMs
    const base = ms === undefined ? FIRST_DEADLINE_MS : Math.min(MAX_DEADLINE_MS, Math.max(MIN_DEADLINE_MS, Math.round(ms * DEADLINE_FACTOR)))
    const factor = ESCALATION[Math.min(state?.misses ?? 0, ESCALATION.length - 1)] as number
    return Math.max(base, Math.min(MAX_DEADLINE_MS, base * factor))
  }

  /** `endpoint` answered over a connection opened in `connectMs`: its deadlines follow that speed again. */
  answered (endpoint: Endpoint, connectMs: number): void {
    const state = this.#state(endpoint)
    if (state === undefined) return
    state.handshakeMs = connectMs
    state.misses = 0
    state.timedOut = false
  }

  /** True when `err` came from opening a connection (connect, TLS handshake): the call was not sent. */
  failedToConnect (err: Error): boolean { return this.#connectErrors.has(err) }

  /** True while `endpoint` is listed and healthy. */
  isHealthy (endpoint: Endpoint): boolean { return this.#state(endpoint)?.healthy === true }

  /** Open connections to `endpoint`. */
  openConnections (endpoint: Endpoint): number { return this.#state(endpoint)?.sockets.size ?? 0 }

  /** Endpoints with open connections. */
  inUse (): Endpoint[] { return this.#states.filter((s) => s.sockets.size > 0).map((s) => s.endpoint) }

  /** A healthy endpoint for the next call: the current one, or the next healthy one after it (which becomes current). */
  pick (): Endpoint | undefined {
    if (this.#current.healthy) return this.#current.endpoint
    const next = this.#nextHealthy(this.#current)
    if (next === undefined) return undefined
    this.#current = next
    return next.endpoint
  }

  /**
   * Where to send a call: a healthy endpoint; when none is, each is probed at once (a manager
   * back a moment ago is used without waiting for its background probe). Still none: one whose
   * server-proxy answers but cannot serve, as a last resort whose answer the caller passes on (it
   * says why); else undefined.
   */
  async choose (): Promise<{ endpoint: Endpoint, lastResort: boolean } | undefined> {
    const healthy = this.pick() ?? (await this.#probeAll())?.endpoint
    if (healthy !== undefined) return { endpoint: this.pick() ?? healthy, lastResort: false }
    const answering = this.#states.find((s) => s.answering)
    return answering === undefined ? undefined : { endpoint: answering.endpoint, lastResort: true }
  }

  /** The error for a call no endpoint can take, naming each endpoint's problem. */
  noneUsable (): Error {
    return errors.SG_ERR_ALL_ENDPOINTS_DOWN(this.#states.map((s) => `${s.key}: ${s.reason ?? 'unknown'}`).join('; '))
  }

  /** Calls `listener` whenever an endpoint turns unhealthy. */
  onUnhealthy (listener: () => void): void { this.#unhealthyListeners.push(listener) }

  /**
   * Marks `endpoint` unhealthy: calls go elsewhere until a background probe of its health
   * endpoint answers 200. `reason`: a sentence, or the error met (a missed deadline lengthens the
   * next one). `answering`: server-proxy itself answered (its engine is gone).
   */
  markUnhealthy (endpoint: Endpoint, reason: string | Error, answering: boolean): void {
    const state = this.#state(endpoint)
    if (state === undefined) return
    if (typeof reason === 'string') state.reason = reason
    else this.#failed(state, reason)
    state.answering = answering
    if (!state.healthy) return
    state.healthy = false
    if (state === this.#current) this.#current = this.#nextHealthy(state) ?? state
    this.#log.warn({ endpoint: state.key, reason: state.reason, next: this.#current.key }, 'endpoint unhealthy, calls go to the next one')
    state.backoffMs = 0
    this.#schedule(state)
    for (const listener of this.#unhealthyListeners) listener()
  }

  /** Marks `endpoint` lost (it stopped answering): unhealthy, and every connection to it is closed, streams included. */
  markLost (endpoint: Endpoint, reason: string): void {
    this.markUnhealthy(endpoint, reason, false)
    const state = this.#state(endpoint)
    if (state === undefined) return
    const err = errors.SG_ERR_ENDPOINT_LOST(`${state.key} stopped answering (${reason})`)
    for (const socket of state.sockets) socket.destroy(err)
  }

  /**
   * Adopts the swarm's own list of endpoints, as `from` (a pinned, authenticated connection)
   * vouched for it. Only when the list names `from`: otherwise the swarm knows its managers by
   * addresses this proxy does not reach them at (NAT, DNS names), and the list it was given stays.
   * Returns true when the list changed.
   */
  adopt (endpoints: readonly Endpoint[], from: Endpoint): boolean {
    const keys = endpoints.map((e) => formatEndpoint(e.host, e.port))
    const fromKey = formatEndpoint(from.host, from.port)
    if (!keys.includes(fromKey)) {
      this.#log.debug({ from: fromKey, listed: keys }, 'the swarm lists its managers at other addresses than this proxy reaches them; list kept')
      return false
    }
    if (keys.length === this.#states.length && keys.every((k, i) => this.#states[i]?.key === k)) return false
    const old = new Map(this.#states.map((s) => [s.key, s]))
    const next = new Map<string, State>()
    for (const [i, key] of keys.entries()) if (!next.has(key)) next.set(key, old.get(key) ?? this.#newState(endpoints[i] as Endpoint))
    this.#states = [...next.values()]
    for (const state of old.values()) {
      if (this.#states.includes(state)) continue
      state.listed = false
      clearTimeout(state.timer)
    }
    if (!this.#states.includes(this.#current)) this.#current = this.#state(from) as State
    this.#log.info({ endpoints: this.list(), current: this.#current.key }, 'endpoint list updated from the swarm')
    return true
  }

  /**
   * An Upstream for one call to `endpoint`, through `dispatcher` (the liveness watch's view of the
   * pool); a hijacked call's connection is `connect` (opened already, on a chosen endpoint).
   */
  callUpstream (endpoint: Endpoint, dispatcher: Dispatcher, connect: () => Promise<Duplex> = async () => await this.#open(endpoint)): Upstream {
    const key = formatEndpoint(endpoint.host, endpoint.port)
    return { name: `the swarm at ${key}`, origin: `https://${key}`, dispatcher, connect, close: async () => {} }
  }

  /** The origin of `endpoint` for the pool. */
  originOf (endpoint: Endpoint): string { return `https://${formatEndpoint(endpoint.host, endpoint.port)}` }

  /**
   * Opens a hijack connection to a healthy endpoint, trying each in turn; with none healthy, to
   * one whose server-proxy answers, whose refusal then says why. With `reuse` (the relay), an
   * idle connection to the chosen healthy endpoint is taken first, when one was released.
   */
  async connect (reuse = false): Promise<{ socket: Duplex, endpoint: Endpoint }> {
    for (let i = 0; i <= this.#states.length; i++) {
      const chosen = await this.choose()
      if (chosen === undefined) break
      const idle = reuse && !chosen.lastResort ? this.#idle.take(chosen.endpoint) : undefined
      if (idle !== undefined) return { socket: idle, endpoint: chosen.endpoint }
      try {
        return { socket: await this.#open(chosen.endpoint), endpoint: chosen.endpoint }
      } catch (err) {
        if ((err as { code?: string }).code === 'SG_ERR_TLS_PIN_MISMATCH') throw err
        this.markUnhealthy(chosen.endpoint, err as Error, false)
      }
    }
    throw this.noneUsable()
  }

  /** Opens a hijack connection to `endpoint` itself, healthy or not (a call only it can take); marks it unhealthy when that fails. */
  async connectTo (endpoint: Endpoint): Promise<Duplex> {
    try {
      return await this.#open(endpoint)
    } catch (err) {
      this.markUnhealthy(endpoint, err as Error, false)
      throw err
    }
  }

  /** Keeps a relay connection to `endpoint`, idle between exchanges, for the next connect(true); closes it when `endpoint` is not healthy. */
  release (endpoint: Endpoint, socket: Duplex): void {
    if (this.#stopped || this.#state(endpoint)?.healthy !== true) { socket.destroy(); return }
    this.#idle.give(endpoint, socket)
  }

  async close (): Promise<void> {
    this.#stopped = true
    this.#idle.close()
    for (const state of this.#states) clearTimeout(state.timer)
    await this.dispatcher.close()
  }

  #newState (endpoint: Endpoint): State {
    return { endpoint, key: formatEndpoint(endpoint.host, endpoint.port), healthy: true, reason: undefined, answering: false, sockets: new Set(), handshakeMs: undefined, misses: 0, timedOut: false, probe: undefined, timer: undefined, backoffMs: 0, listed: true }
  }

  #state (endpoint: Endpoint): State | undefined {
    const key = formatEndpoint(endpoint.host, endpoint.port)
    return this.#states.find((s) => s.key === key)
  }

  #nextHealthy (after: State): State | undefined {
    const i = this.#states.indexOf(after)
    for (let n = 1; n <= this.#states.length; n++) {
      const state = this.#states[(i + n) % this.#states.length] as State
      if (state.healthy) return state
    }
    return undefined
  }

  /** Records a failure to reach `state`: its reason, and whether it was a missed deadline (the next one is longer). */
  #failed (state: State, err: Error): void {
    state.reason = describe(err)
    state.timedOut = missedDeadline(err)
    if (state.timedOut) state.misses++
  }

  /** Connects to `endpoint` within its deadline and keeps the socket in its set until it closes. */
  async #open (endpoint: Endpoint): Promise<TLSSocket> {
    const started = performance.now()
    const socket = await connectPinned(endpoint, this.#trust, this.deadlineMs(endpoint))
    this.answered(endpoint, performance.now() - started)
    const state = this.#state(endpoint)
    if (state !== undefined) {
      state.sockets.add(socket)
      socket.once('close', () => state.sockets.delete(socket))
    }
    return socket
  }

  /** Asks `state`'s health endpoint once (single-flight); true when it answered 200 (then it is healthy again). */
  async #probeOnce (state: State): Promise<boolean> {
    state.probe ??= (async () => {
      try {
        const answer = await probeEndpoint(state.endpoint, this.#trust, PATHS.health, { deadlineMs: this.deadlineMs(state.endpoint) })
        this.answered(state.endpoint, answer.connectMs)
        if (answer.status === 200) return true
        state.answering = true
        state.reason = `its health endpoint answered ${answer.status}${healthStatus(answer.body)}`
      } catch (err) {
        state.answering = false
        this.#failed(state, err as Error)
      }
      return false
    })().finally(() => { state.probe = undefined })
    const healthy = await state.probe
    if (healthy && !state.healthy && state.listed) {
      state.healthy = true
      state.reason = undefined
      state.answering = false
      clearTimeout(state.timer)
      this.#log.info({ endpoint: state.key }, 'endpoint healthy again')
    }
    return healthy
  }

  #schedule (state: State): void {
    clearTimeout(state.timer)
    if (this.#stopped || !state.listed || state.healthy) return
    const delay = PROBE_BACKOFF_MS[Math.min(state.backoffMs, PROBE_BACKOFF_MS.length - 1)] as number
    state.backoffMs++
    state.timer = setTimeout(() => {
      this.#probeOnce(state).then((healthy) => { if (!healthy) this.#schedule(state) }, () => { this.#schedule(state) })
    }, delay)
    state.timer.unref()
  }

  /**
   * Probes every unhealthy endpoint at once (single-flight); the first that answers 200, if any.
   * When none does and some only missed their deadline (a loaded manager is slow, not gone), those
   * are probed again with a longer one, until each has had the longest (ESCALATION). Calls
   * arriving right after a round that found none get its result instead of another round.
   */
  async #probeAll (): Promise<State | undefined> {
    if (this.#round === undefined && Date.now() - this.#roundEnded < PROBE_BACKOFF_MS[0]) return undefined
    this.#round ??= (async () => {
      let candidates = this.#states.filter((s) => !s.healthy)
      while (candidates.length > 0) {
        try {
          return await Promise.any(candidates.map(async (s) => await this.#probeOnce(s) ? s : await Promise.reject(new Error('unhealthy'))))
        } catch {
          candidates = candidates.filter((s) => s.listed && s.timedOut && s.misses < ESCALATION.length)
          if (candidates.length > 0) this.#log.warn({ endpoints: candidates.map((s) => s.key), deadlineMs: candidates.map((s) => this.deadlineMs(s.endpoint)) }, 'no endpoint answered in time: asking the slow ones again with a longer deadline')
        }
      }
      return undefined
    })().finally(() => { this.#round = undefined; this.#roundEnded = Date.now() })
    return await this.#round
  }
}

/** The `status` field of server-proxy's health answer, for the reason shown. */
function healthStatus (body: string): string {
  try {
    const status = (JSON.parse(body) as { status?: unknown }).status
    return typeof status === 'string' ? ` (${status})` : ''
  } catch {
    return ''
  }
}

/** True when `err` is a deadline missed (connect, handshake or answer), not a refusal or a reset. */
export function missedDeadline (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT'
}

/** An error as one line: its message, with its code when the message does not say it. */
export function describe (err: unknown): string {
  const e = err as Error & { code?: string }
  return e.code === undefined || e.message.includes(e.code) ? e.message : `${e.message} (${e.code})`
}
