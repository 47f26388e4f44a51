/**
 * What server-proxy counts, and how an audit line or a token answer becomes counts. The gateway
 * writes one audit line per call and two per hijacked session; the metrics are read from those
 * lines, so the figures and the audit trail cannot disagree. Every label value comes from a
 * bounded set: the action of the route table (never the path, which holds IDs and names), the
 * decision, the HTTP status, rule and error codes, the grant type.
 */
import { routeCall } from '@swarmgate/core'
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from './registry.js'

/**
 * An audit line as the gateway logs it (gateway/docker-gateway.ts, gateway/relayed-calls.ts). The
 * metrics read `method`, `route` (the routed path, or the raw target of a call refused before it
 * was routed), `action`, `decision`, `rule`, `status`, `durationMs`, `hijack`, `event` and `err`
 * (an error of the engine connection).
 */
export type AuditLine = Readonly<Record<string, unknown>>

/** Seconds: a refusal takes under a millisecond, a call up to minutes (stop -t, commit, build). */
const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
/** Seconds: an exec of `true` lasts a fraction of a second, an interactive shell hours. */
const SESSION_BUCKETS = [0.1, 0.5, 1, 5, 30, 60, 300, 1800, 3600, 14400]
/** Label values from error and refusal codes: a code-like word, or `other`. */
const CODE = /^[A-Za-z0-9_.-]{1,64}$/
const GRANTS = new Set(['password', 'refresh_token'])
const FACTS_UNAVAILABLE = 'SG_ERR_FACTS_UNAVAILABLE'

function codeLabel (code: unknown): string {
  return typeof code === 'string' && CODE.test(code) ? code : 'other'
}

/** The code of an engine connection error (ECONNREFUSED, UND_ERR_SOCKET), or `other`. */
function errorCode (err: unknown): string {
  return codeLabel((err as { code?: unknown } | null)?.code)
}

function text (v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

/** The route table's action of a line; routed again when the line was written before routing (a token refusal). */
function actionOf (line: AuditLine): string {
  const route = text(line.route)
  return text(line.action) ?? (route === undefined ? undefined : routeCall(text(line.method) ?? 'GET', route, {}).action) ?? 'unknown'
}

/** server-proxy's metrics (README.md, "Metrics"). */
export class ServerMetrics {
  readonly registry = new MetricsRegistry()
  readonly #calls: Counter<'action' | 'decision' | 'status'>
  readonly #denials: Counter<'decision' | 'rule'>
  readonly #callSeconds: Histogram<'action'>
  readonly #sessionsOpen: Gauge
  readonly #sessionSeconds: Histogram<'action'>
  readonly #grants: Counter<'grant'>
  readonly #refusals: Counter<'grant' | 'code'>
  readonly #engineErrors: Counter<'stage' | 'code'>
  readonly #lastEngineError: Gauge
  readonly #now: () => number

  /** `now` gives milliseconds since the epoch (Date.now unless a test gives one). */
  constructor (version: string, now: () => number = Date.now) {
    const r = this.registry
    this.#now = now
    r.gauge('swarmgate_build_info', 'The server-proxy version running, as a label; always 1', ['version']).set({ version }, 1)
    r.gauge('process_start_time_seconds', 'When this server-proxy started, in seconds since the epoch').set({}, Math.floor(now() / 1000))
    this.#calls = r.counter('swarmgate_calls_total', 'Docker API calls by action, decision and status (a hijacked session counts when it ends; status 0: no answer)', ['action', 'decision', 'status'])
    this.#denials = r.counter('swarmgate_call_denials_total', 'Calls denied or that the policy would deny, by the rule or the refusal code', ['decision', 'rule'])
    this.#callSeconds = r.histogram('swarmgate_call_duration_seconds', 'Time from a call\'s arrival to its end, streams included, by action (hijacked sessions are not counted here)', ['action'], CALL_BUCKETS)
    this.#sessionsOpen = r.gauge('swarmgate_hijacked_sessions_open', 'Hijacked sessions (attach, exec start, BuildKit) open now')
    this.#sessionSeconds = r.histogram('swarmgate_hijacked_session_duration_seconds', 'How long hijacked sessions lasted, by action', ['action'], SESSION_BUCKETS)
    this.#grants = r.counter('swarmgate_token_grants_total', 'Tokens issued, by grant type (password, refresh_token)', ['grant'])
    this.#refusals = r.counter('swarmgate_token_refusals_total', 'Token requests refused, by grant type and the code the answer carried', ['grant', 'code'])
    this.#engineErrors = r.counter('swarmgate_engine_errors_total', 'Failures of the engine connection, by stage (facts: a question before deciding; call; hijack) and error code', ['stage', 'code'])
    this.#lastEngineError = r.gauge('swarmgate_engine_last_error_timestamp_seconds', 'When the last engine error happened, in seconds since the epoch (0: none yet)')
  }

  /** Counts one audit line. */
  audited (line: AuditLine): void {
    if (line.event === 'hijack-start') {
      this.#sessionsOpen.add({}, 1)
      return
    }
    const action = actionOf(line)
    const decision = codeLabel(line.decision)
    const hijack = line.hijack === true
    const seconds = typeof line.durationMs === 'number' ? line.durationMs / 1000 : undefined
    this.#calls.inc({ action, decision, status: String(typeof line.status === 'number' ? line.status : 0) })
    if (decision !== 'allow') this.#denials.inc({ decision, rule: codeLabel(line.rule) })
    if (line.event === 'hijack-end') {
      this.#sessionsOpen.add({}, -1)
      if (seconds !== undefined) this.#sessionSeconds.observe({ action }, seconds)
    } else if (seconds !== undefined && !hijack) {
      this.#callSeconds.observe({ action }, seconds)
    }
    if (line.err !== undefined) this.#engineError(hijack ? 'hijack' : 'call', errorCode(line.err))
    else if (line.rule === FACTS_UNAVAILABLE) this.#engineError('facts', FACTS_UNAVAILABLE)
  }

  /** Counts one answer of the token endpoint: its status and, for a refusal, the `code` (or OAuth `error`) of its JSON body. */
  tokenAnswered (grantType: unknown, status: number, body: unknown): void {
    const grant = typeof grantType === 'string' && GRANTS.has(grantType) ? grantType : 'other'
    if (status === 200) {
      this.#grants.inc({ grant })
      return
    }
    let answer: { code?: unknown, error?: unknown } | undefined
    try { answer = typeof body === 'string' ? JSON.parse(body) as typeof answer : undefined } catch { answer = undefined }
    this.#refusals.inc({ grant, code: codeLabel(answer?.code ?? answer?.error ?? `status_${status}`) })
  }

  #engineError (stage: 'facts' | 'call' | 'hijack', code: string): void {
    this.#engineErrors.inc({ stage, code })
    this.#lastEngineError.set({}, Math.floor(this.#now() / 1000))
  }
}
