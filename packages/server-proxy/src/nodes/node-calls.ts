/**
 * Calls addressed to one node (docs/protocol.md, "Every node"): this manager checks the token and
 * the account (a call without a valid one never leaves it), finds the node's agent and forwards
 * the call to it over the overlay network in TLS pinned to the agents' CA, with the user's
 * Authorization header replaced by a node assertion (node-assertion.ts) of this one call, as
 * received otherwise. The agent runs the gateway's pipeline (route, decide with its own node's
 * engine facts, forward, audit) on the asserted principal against its node's engine: the decision
 * is made where the engine whose facts it reads is. Hijacked calls are carried as the engine's are (core forwardUpgrade: half-close, the
 * body in `head`, nothing after a refused upgrade).
 *
 * Answers this manager makes itself carry codes of their own (SG_ERR_NODE_*), and an agent's
 * answer saying its node's engine is gone is answered as the node's trouble: client-proxy must
 * never take a node's engine for its manager's and move off a healthy manager.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  ERROR_HEADER, GATEWAY_CODES, NODE_ASSERTION_HEADER, endToEndHeaders, forwardRequest, forwardUpgrade, hasRequestBody, headerValue, sendDockerError, writeDockerErrorToSocket,
  withoutHeaders, type Logger, type Upstream
} from '@swarmgate/core'
import type { Principal } from '../identity/directory.js'
import { errors } from '../errors.js'
import { discardRequestBody } from '../gateway/request-body.js'
import { asRefusal } from '../gateway/docker-gateway.js'
import { AgentDirectory, type AgentAddress } from './agent-directory.js'
import { AgentUpstreams } from './agent-upstreams.js'
import { readNodeCall, type NodeCall } from './node-path.js'
import type { NodeCallClaims } from './node-assertion.js'

/** What an agent answers when its node's engine could not take the call: the node's trouble, not this manager's. */
const ENGINE_CODES = new Set<string>(Object.values(GATEWAY_CODES))

/** What proves the caller to this manager: replaced by the assertion, never sent to an agent. */
const DROP = new Set(['authorization', NODE_ASSERTION_HEADER.toLowerCase()])

export interface NodeCallsOptions {
  /** The gateway's authentication: who the call's token speaks for, or a throw (the refusal). */
  readonly authenticate: (req: Pick<IncomingMessage, 'headers'>) => Promise<Principal>
  /** This manager's engine, asked where the agents are. */
  readonly engine: Upstream
  /** The agents' CA certificate (PEM), the only one their connections trust; undefined: node calls are refused. */
  readonly agentCa: string | undefined
  /** Signs the assertion of one call (node-assertion.ts). */
  readonly assert: (claims: NodeCallClaims) => Promise<string>
  readonly logger: Logger
  /** Told the connection of every call whose token is valid (the connection guard stops timing it). */
  readonly onAuthenticated?: (socket: Duplex) => void
}

/** Where one call goes, once its token was checked. */
interface Routed {
  readonly account: Principal
  readonly call: NodeCall
  readonly agent: AgentAddress
  readonly upstream: Upstream
  /** The forwarded call's headers: the client's, the assertion instead of its token. */
  readonly headers: string[]
}

export class NodeCalls {
  readonly #opts: NodeCallsOptions
  readonly #log: Logger
  readonly #directory: AgentDirectory
  readonly #upstreams: AgentUpstreams | undefined

  constructor (opts: NodeCallsOptions) {
    this.#opts = opts
    this.#log = opts.logger.child({ module: 'node-calls' })
    this.#directory = new AgentDirectory(opts.engine)
    this.#upstreams = opts.agentCa === undefined ? undefined : new AgentUpstreams(opts.agentCa)
  }

  /** Authenticates, finds the node's agent and asserts the call to it; throws the refusal. */
  async #route (req: IncomingMessage, headers: (raw: readonly string[]) => string[]): Promise<Routed> {
    const account = await this.#opts.authenticate(req)
    this.#opts.onAuthenticated?.(req.socket)
    const call = readNodeCall(req.url ?? '')
    if (call === undefined) throw errors.SG_ERR_NODE_ADDRESS()
    const agent = await this.#directory.find(call.node)
    if (this.#upstreams === undefined) throw errors.SG_ERR_NODE_AGENT_DOWN('this server-proxy was not given the node agents\' CA (--node-agent-ca): run registration again')
    const assertion = await this.#opts.assert({ principal: account, node: agent.nodeId, method: req.method ?? 'GET', path: call.path })
    return { account, call, agent, upstream: this.#upstreams.for(agent), headers: [...headers(req.rawHeaders), NODE_ASSERTION_HEADER, assertion] }
  }

  /** Handles a plain call under PATHS.nodes. */
  async handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.#log.child({ reqId: randomUUID() })
    const withBody = hasRequestBody(req)
    let routed: Routed
    try {
      routed = await this.#route(req, (raw) => endToEndHeaders(raw, DROP))
    } catch (err) {
      const refusal = asRefusal(err, log)
      sendDockerError(res, refusal.statusCode ?? 401, refusal.message, { [ERROR_HEADER]: refusal.code })
      if (withBody) discardRequestBody(req)
      log.info({ source: req.socket.remoteAddress, method: req.method, path: req.url, status: refusal.statusCode, rule: refusal.code }, 'node call refused')
      return
    }
    const { account, call, agent, upstream, headers } = routed
    let nodeTrouble: string | undefined
    const outcome = await forwardRequest(req, res, {
      upstream,
      headers,
      path: call.path,
      decline: (_status, headers) => {
        const code = headerValue(headers, ERROR_HEADER.toLowerCase())
        if (code === undefined || !ENGINE_CODES.has(code)) return false
        nodeTrouble = code
        return true
      }
    })
    let status = outcome.kind === 'failed' ? 0 : outcome.status
    if (outcome.kind === 'declined' || (outcome.kind === 'failed' && !outcome.responded)) {
      const why = outcome.kind === 'failed' ? `${upstream.name}: ${outcome.error.message}` : `node ${agent.hostname}'s Docker engine could not take the call (${nodeTrouble ?? ''})`
      const failure = errors.SG_ERR_NODE_UNREACHABLE(why)
      sendDockerError(res, failure.statusCode ?? 502, failure.message, { [ERROR_HEADER]: failure.code })
      status = failure.statusCode ?? 502
    }
    log.info({ source: req.socket.remoteAddress, account: account.name, node: agent.nodeId, method: req.method, path: call.path, status }, 'node call')
  }

  /** Handles a hijacked call (attach, exec start) under PATHS.nodes. */
  async handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const log = this.#log.child({ reqId: randomUUID() })
    const source = (socket as Duplex & { remoteAddress?: string }).remoteAddress
    socket.on('error', () => socket.destroy())
    let routed: Routed
    try {
      // An upgrade keeps its Connection and Upgrade headers: the agent must see the hijack.
      routed = await this.#route(req, (raw) => withoutHeaders(raw, DROP))
    } catch (err) {
      const refusal = asRefusal(err, log)
      writeDockerErrorToSocket(socket, refusal.statusCode ?? 401, refusal.message, { [ERROR_HEADER]: refusal.code })
      log.info({ source, method: req.method, path: req.url, status: refusal.statusCode, rule: refusal.code, hijack: true }, 'node call refused')
      return
    }
    const { account, call, agent, upstream, headers } = routed
    const outcome = await forwardUpgrade(req, socket, head, { upstream, headers, path: call.path })
    log.info({ source, account: account.name, node: agent.nodeId, method: req.method, path: call.path, status: outcome.status, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut, hijack: true }, 'node call')
  }

  async close (): Promise<void> {
    await this.#upstreams?.close()
  }
}
