/**
 * server-proxy's fast path (issue 14; --relay): each client connection is pinned to one engine
 * connection and calls are relayed as bytes (core's relay). Every call is still authenticated and
 * decided on here, from its head: a valid token of an existing account (the verified-token cache
 * first, as the careful path does), the call routed as the engine would, the policy asked. Only a
 * call whose decision needs neither the body nor the engine's facts, and is allowed, is relayed,
 * with the Authorization header removed and every other header as received; everything else
 * (refusals, bodies to read, facts to fetch, hijacks, the token service, unknown routes) takes the
 * careful path, DockerGateway, with the connection from then on. Each relayed call is one audit
 * line with the careful path's fields.
 */
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import type { Duplex } from 'node:stream'
import {
  RESERVED_PREFIX, auditLogger, buildHead, headerValues, onlyReads, openSocket, relayConnection, routeCall, withoutHeaders,
  type Call, type Logger, type Policy, type RelayRequest, type RelayVerdict
} from '@swarmgate/core'
import type { AuditLine } from '../metrics/index.js'

const DROP = new Set(['authorization'])
/** Calls the engine hijacks (the stream leaves HTTP): the careful path's upgrade handling keeps them. */
const HIJACKED = /^\/(?:containers\/[^/]+\/attach|exec\/[^/]+\/start|session|grpc)$/

const CAREFUL: RelayVerdict = { kind: 'careful' }

/** Who a valid token speaks for, as far as deciding and the audit line go. */
interface Caller {
  readonly name: string
  readonly role: string
}

export interface RelayedCallsOptions {
  /**
   * The careful path's authentication: who an `Authorization` header speaks for, or a throw; at
   * once when the verified-token cache knows the token, so the call is decided without waiting.
   */
  readonly authenticate: (authorization: string) => Caller | Promise<Caller>
  readonly policy: Policy
  readonly engineSocket: string
  readonly logger: Logger
  /** Told the connection of every call whose token is valid (the connection guard stops timing it). */
  readonly onAuthenticated?: (socket: Duplex) => void
  /** Told every audit line as it is written (the metrics count them). */
  readonly onAudit?: (line: AuditLine) => void
  /** While true, every call takes the careful path: the drain on stop answers it there (drain/index.ts). */
  readonly careful?: () => boolean
}

/**
 * A connection's last relayed call and how it was decided, for its next call with the same head.
 * (A call left to the careful path is not kept: the connection goes there with it for good.)
 */
interface Kept {
  readonly request: RelayRequest
  /** Who it was decided for: the same token may speak for a changed account by the next call. */
  readonly account: Caller
  readonly plan: RelayPlan
}

/** A relayed call's verdict without what belongs to one call (its audit line). */
interface RelayPlan {
  readonly head: Buffer
  readonly resendWhenLost: boolean
  readonly audit: AuditFields
}

/** The audit line's fields that follow from the call's head and caller. */
interface AuditFields {
  readonly method: string
  readonly account: string
  readonly role: string
  readonly route: string
  readonly action: string | undefined
  readonly decision: 'allow' | 'would-deny'
  readonly rule: string
}

export class RelayedCalls {
  readonly #opts: RelayedCallsOptions
  readonly #log: Logger

  constructor (opts: RelayedCallsOptions) {
    this.#opts = opts
    this.#log = auditLogger(opts.logger.child({ module: 'docker-gateway', path: 'relay' }))
  }

  /** Serves a new client connection; `careful` gives it to node:http and DockerGateway. */
  serve (socket: Duplex, careful: (socket: Duplex) => void): void {
    const source = (socket as Duplex & { remoteAddress?: string }).remoteAddress
    // A client repeating a call, as the same caller, is not routed and decided again.
    let last: Kept | undefined
    const planFor = (request: RelayRequest, caller: Caller): RelayPlan | undefined => {
      if (last?.request === request && sameCaller(last.account, caller)) return last.plan
      const plan = this.#plan(caller, request)
      last = plan === undefined ? undefined : { request, account: caller, plan }
      return plan
    }
    relayConnection(socket, {
      decide: (request) => this.#decide(request, socket, source, planFor),
      connect: async () => await openSocket(() => net.connect(this.#opts.engineSocket)),
      handover: careful
    })
  }

  /** The verdict on one call: at once when the token is in the verified-token cache. */
  #decide (request: RelayRequest, socket: Duplex, source: string | undefined, planFor: (request: RelayRequest, caller: Caller) => RelayPlan | undefined): RelayVerdict | Promise<RelayVerdict> {
    const started = performance.now()
    if (request.target.startsWith(RESERVED_PREFIX) || this.#opts.careful?.() === true) return CAREFUL
    const authorization = headerValues(request.rawHeaders, 'authorization')
    if (authorization.length !== 1) return CAREFUL
    let account: Caller | Promise<Caller>
    try {
      // Every call, repeated or not: the token may have expired, the account gone or changed.
      account = this.#opts.authenticate(authorization[0] as string)
    } catch {
      // The careful path refuses it, with its answer and audit line.
      return CAREFUL
    }
    const verdict = (caller: Caller): RelayVerdict => {
      this.#opts.onAuthenticated?.(socket)
      const plan = planFor(request, caller)
      return plan === undefined ? CAREFUL : this.#relay(plan, source, started)
    }
    if (account instanceof Promise) return account.then(verdict, () => CAREFUL)
    return verdict(account)
  }

  /** Routes and decides `request` for `account`: how it is relayed, or undefined for the careful path. */
  #plan (account: Caller, request: RelayRequest): RelayPlan | undefined {
    const { policy } = this.#opts
    const call = routeCall(request.method, request.target, firstValues(request.rawHeaders))
    if (!relayable(call)) return undefined
    const role = policy.role(account.role)
    const needs = policy.needs(role, call)
    if (needs.body || needs.facts.length > 0) return undefined
    const decision = policy.decide(role, account.role, call, { kind: 'none' }, {})
    if (!decision.allow && decision.enforced) return undefined
    return {
      head: buildHead([request.method, request.target, 'HTTP/1.1'], withoutHeaders(request.rawHeaders, DROP)),
      // A read whose engine connection ends before any answer (the engine stopped, or closed a
      // kept connection as the call went out) is sent again by the careful path; when the engine
      // is gone it answers with SG_ERR_ENGINE_UNREACHABLE or _FAILED, and client-proxy tries
      // another manager.
      resendWhenLost: onlyReads(request.method),
      audit: {
        method: request.method,
        account: account.name,
        role: account.role,
        route: call.route,
        action: call.action,
        decision: decision.allow ? 'allow' : 'would-deny',
        rule: decision.rule
      }
    }
  }

  /** The verdict relaying a decided call, with its audit line when it is over. */
  #relay (plan: RelayPlan, source: string | undefined, started: number): RelayVerdict {
    return {
      kind: 'relay',
      head: plan.head,
      resendWhenLost: plan.resendWhenLost,
      ended: (end) => {
        const line = {
          reqId: randomUUID(),
          source,
          ...plan.audit,
          status: end.status,
          bytesIn: end.bytesIn,
          bytesOut: end.bytesOut,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
          // As the careful path says it: a client that left is not an error of the call.
          ...(end.clientAborted === true ? { clientAborted: true } : end.error === undefined ? {} : { err: end.error })
        }
        this.#log.info(line, 'audit')
        this.#opts.onAudit?.(line)
      }
    }
  }
}

/** The same account with the same role: what a decision read of the caller. */
function sameCaller (a: Caller, b: Caller): boolean {
  return a.name === b.name && a.role === b.role
}

/** A call the relay may carry: a route the engine knows and does not hijack. */
function relayable (call: Call): boolean {
  return call.action !== undefined && !(call.method === 'POST' && HIJACKED.test(call.route))
}

/** Headers by lower-case name, first value only (what routeCall reads: Go's Header.Get). */
function firstValues (rawHeaders: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase()
    out[name] ??= rawHeaders[i + 1] as string
  }
  return out
}
