/**
 * The Docker API side of server-proxy, one pipeline per call (docs/authorization.md):
 * authenticate (on a manager a valid access token of an account that still exists, on a node
 * agent a manager's assertion of the call), route the call as the engine would, decide on the
 * caller's role (reading the body and asking the engine only when the policy needs it), then
 * forward it to the engine socket with what proved the caller removed and every other header
 * exactly as received. A refused call never reaches the engine. Every decision
 * is one audit line; a hijacked session has a start line (the decision) and an end line.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  ERROR_HEADER, SwarmgateError, auditLogger, decodeBody, describeUpstreamError, endToEndHeaders, failedBeforeSending, forwardRequest, forwardUpgrade,
  NODE_ASSERTION_HEADER, hasRequestBody, onlyReads, routeCall, sendDockerError, withoutHeaders, writeDockerErrorToSocket,
  type Body, type Call, type Decision, type Facts, type Logger, type Policy, type Upstream
} from '@swarmgate/core'
import type { Principal } from '../identity/directory.js'
import { errors } from '../errors.js'
import { EngineFacts } from './engine-facts.js'
import { discardRequestBody, readRequestBody } from './request-body.js'
import { pinnedPath } from './pinned-path.js'
import type { AuditLine } from '../metrics/index.js'

/** What proves the caller, never the engine's business. */
const DROP = new Set(['authorization', NODE_ASSERTION_HEADER.toLowerCase()])

export interface GatewayOptions {
  /** Who the call speaks for, or a throw (the refusal): a bearer token's account, or a node assertion's principal. */
  readonly authenticate: (req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>) => Promise<Principal>
  readonly upstream: Upstream
  readonly logger: Logger
  readonly policy: Policy
  /** Told the connection of every call whose token is valid (the connection guard stops timing it). */
  readonly onAuthenticated?: (socket: Duplex) => void
  /** Told every audit line as it is written (the metrics count them). */
  readonly onAudit?: (line: AuditLine) => void
}

/** What the gateway decided about one call, and what it read to decide. */
interface Verdict {
  readonly account: Principal
  readonly call: Call
  readonly decision: Decision
  /** The body as read, when the decision needed it: forwarded as these bytes. */
  readonly body: Buffer | undefined
  readonly facts: Facts
}

/** The audit line's `decision` field. */
function decisionName (decision: Decision): 'allow' | 'deny' | 'would-deny' {
  return decision.allow ? 'allow' : decision.enforced ? 'deny' : 'would-deny'
}

export class DockerGateway {
  readonly #opts: GatewayOptions
  readonly #log: Logger
  readonly #facts: EngineFacts

  constructor (opts: GatewayOptions) {
    this.#opts = opts
    // It writes audit lines and the errors of deciding (`err`): core's audit redaction covers both.
    this.#log = auditLogger(opts.logger.child({ module: 'docker-gateway' }))
    this.#facts = new EngineFacts(opts.upstream)
  }

  /** Authenticates and decides; reads the body and asks the engine only when the policy needs it. */
  async #judge (req: IncomingMessage, withBody: boolean): Promise<Verdict> {
    const account = await this.#opts.authenticate(req)
    this.#opts.onAuthenticated?.(req.socket)
    const { policy } = this.#opts
    const call = routeCall(req.method ?? 'GET', req.url ?? '/', req.headers)
    const role = policy.role(account.role)
    const needs = policy.needs(role, call)
    let bytes: Buffer | undefined
    let body: Body = { kind: 'none' }
    if (needs.body && withBody) {
      const read = await readRequestBody(req)
      if (read.kind === 'aborted') throw errors.SG_ERR_CLIENT_GONE()
      if (read.kind === 'too-large') body = { kind: 'undecodable', reason: 'the body is larger than the gateway reads to decide (4 MiB)', status: 413 }
      else { bytes = read.bytes; body = decodeBody(bytes, req.headers['content-type'], req.headers['content-encoding']) }
    }
    const facts = needs.facts.length === 0 ? {} : await this.#facts.fetch(needs.facts, call)
    return { account, call, decision: policy.decide(role, account.role, call, body, facts), body: bytes, facts }
  }

  /** Handles a plain Docker API call. */
  async handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    // Kept here: req.socket is detached once the response has finished.
    const socket = req.socket
    const readBefore = socket.bytesRead
    const writtenBefore = socket.bytesWritten
    const log = this.#log.child({ reqId: randomUUID() })
    const withBody = hasRequestBody(req)
    const audit = (fields: Record<string, unknown>): void => {
      const line = { source: socket.remoteAddress, method: req.method, bytesIn: socket.bytesRead - readBefore, bytesOut: socket.bytesWritten - writtenBefore, durationMs: elapsed(started), ...fields }
      log.info(line, 'audit')
      this.#opts.onAudit?.(line)
    }
    let verdict: Verdict
    try {
      verdict = await this.#judge(req, withBody)
    } catch (err) {
      const refusal = asRefusal(err, log)
      sendDockerError(res, refusal.statusCode ?? 401, refusal.message, { [ERROR_HEADER]: refusal.code })
      if (withBody) discardRequestBody(req)
      audit({ route: req.url, decision: 'deny', rule: refusal.code, status: refusal.statusCode })
      return
    }
    const { account, call, decision } = verdict
    const who = { account: account.name, role: account.role, route: call.route, action: call.action, decision: decisionName(decision), rule: decision.rule }
    if (!decision.allow && decision.enforced) {
      sendDockerError(res, decision.status, decision.message)
      if (withBody && verdict.body === undefined) discardRequestBody(req)
      audit({ ...who, status: decision.status })
      return
    }
    const outcome = await forwardRequest(req, res, {
      upstream: this.#opts.upstream,
      headers: endToEndHeaders(req.rawHeaders, DROP),
      ...(verdict.body === undefined ? {} : { body: verdict.body }),
      ...pinned(call, req.url, verdict.facts),
      resendWhenLost: onlyReads(req.method ?? '')
    })
    let status = outcome.kind === 'failed' ? 0 : outcome.status
    if (outcome.kind === 'failed' && !outcome.responded) {
      const failure = engineFailure(outcome.error, this.#opts.upstream.name)
      sendDockerError(res, failure.statusCode ?? 502, failure.message, { [ERROR_HEADER]: failure.code })
      status = failure.statusCode ?? 502
    }
    audit({
      ...who,
      status,
      ...(outcome.kind === 'forwarded' && outcome.clientAborted ? { clientAborted: true } : {}),
      ...(outcome.kind === 'failed' ? { err: outcome.error } : {})
    })
  }

  /** Handles a hijacked call (attach, exec start, BuildKit session) from the server's 'upgrade' event. */
  async handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now()
    const log = this.#log.child({ reqId: randomUUID() })
    const source = (socket as Duplex & { remoteAddress?: string }).remoteAddress
    socket.on('error', () => socket.destroy())
    const audit = (line: AuditLine): void => { log.info(line, 'audit'); this.#opts.onAudit?.(line) }
    let verdict: Verdict
    try {
      // An upgrade's body (exec start's JSON) arrives in `head`: no decision reads it.
      verdict = await this.#judge(req, false)
    } catch (err) {
      const refusal = asRefusal(err, log)
      writeDockerErrorToSocket(socket, refusal.statusCode ?? 401, refusal.message, { [ERROR_HEADER]: refusal.code })
      audit({ source, method: req.method, route: req.url, decision: 'deny', rule: refusal.code, status: refusal.statusCode, hijack: true })
      return
    }
    const { account, call, decision } = verdict
    const who = { source, account: account.name, role: account.role, method: req.method, route: call.route, action: call.action, decision: decisionName(decision), rule: decision.rule, hijack: true }
    if (!decision.allow && decision.enforced) {
      writeDockerErrorToSocket(socket, decision.status, decision.message)
      audit({ ...who, status: decision.status })
      return
    }
    audit({ ...who, event: 'hijack-start' })
    const outcome = await forwardUpgrade(req, socket, head, { upstream: this.#opts.upstream, headers: withoutHeaders(req.rawHeaders, DROP), ...pinned(call, req.url, verdict.facts) })
    audit({ ...who, event: 'hijack-end', status: outcome.status, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut, durationMs: elapsed(started), ...(outcome.error === undefined ? {} : { err: outcome.error }) })
  }
}

/** The forwarding path when the decision checked a container found by name: its ID, so the engine acts on the container that was checked. */
function pinned (call: Call, url: string | undefined, facts: Facts): { path?: string } {
  const path = pinnedPath(call, url ?? '/', facts)
  return path === undefined ? {} : { path }
}

/**
 * Why a call the engine did not answer failed, with the code client-proxy acts on (ERROR_HEADER):
 * an engine that could not be reached never saw the call (503: another manager may take it); one
 * whose connection broke after the call was sent may have carried it out (502).
 */
function engineFailure (err: Error, engineName: string): SwarmgateError {
  const cause = describeUpstreamError(err, engineName).message.replace(/^swarmgate: /, '')
  return failedBeforeSending(err) ? errors.SG_ERR_ENGINE_UNREACHABLE(cause, err) : errors.SG_ERR_ENGINE_FAILED(cause, err)
}

/** A refusal to send: the SwarmgateError thrown, or a 500 for anything else (never echoed: it is logged). */
export function asRefusal (err: unknown, log: Logger): SwarmgateError {
  if (err instanceof SwarmgateError) return err
  log.error({ err }, 'deciding on a call failed')
  return errors.SG_ERR_DECISION_FAILED()
}

function elapsed (started: number): number {
  return Math.round((performance.now() - started) * 100) / 100
}
