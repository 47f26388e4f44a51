/**
 * The docker CLI side of client-proxy: every call gets the current access token and goes to a
 * healthy manager of the swarm. A call is sent again, on the next manager, when it can be replayed
 * (no body, or a body of at most REPLAY_MAX_BYTES, read first) and either no manager saw it (the
 * connection could not be opened, or server-proxy answered that its engine cannot be reached) or
 * it only reads (GET, HEAD) and its manager went away during it. A 401 is retried once with a
 * renewed token. Anything else is answered with what happened, saying whether the call may have
 * been carried out (docs/protocol.md, "Failover"). The calls on an exec instance go to the manager
 * that created it, or fail saying so (swarm/exec-owners.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  ERROR_HEADER, GATEWAY_CODES, SwarmgateError, describeUpstreamError, endToEndHeaders, failedBeforeSending, forwardRequest, forwardUpgrade,
  formatEndpoint, hasCode, hasRequestBody, headerValue, onlyReads, sendDockerError, withoutHeaders, writeDockerErrorToSocket, type Logger
} from '@swarmgate/core'
import type { Endpoint } from './pinned-tls.js'
import { ExecOwners, CREATE_ANSWER_MAX_BYTES, createdId, createsExec, describe, execOf, type LivenessWatch, type SwarmUpstream } from './swarm/index.js'
import type { TokenKeeper } from './token-keeper.js'
import { StreamTail } from './stream-tail.js'
import { errors } from './errors.js'

const DROP = new Set(['authorization'])
/**
 * Bodies up to this size are read before the call is sent, so it can be sent again elsewhere:
 * create, exec, start, update and the like carry a few hundred bytes of JSON. Larger ones (build
 * contexts, image loads, copies) stream through and are never replayed.
 */
export const REPLAY_MAX_BYTES = 64 * 1024
/** What server-proxy answers for a call its engine never saw. */
const NOT_CARRIED_OUT = new Set<string>([GATEWAY_CODES.engineUnreachable, GATEWAY_CODES.factsUnavailable])

type Body = { readonly kind: 'none' } | { readonly kind: 'buffered', readonly bytes: Buffer } | { readonly kind: 'stream' }

export class DockerRelay {
  readonly #upstream: SwarmUpstream
  readonly #watch: LivenessWatch
  readonly #keeper: TokenKeeper
  readonly #log: Logger
  readonly #execOwners = new ExecOwners()

  constructor (upstream: SwarmUpstream, watch: LivenessWatch, keeper: TokenKeeper, logger: Logger) {
    this.#upstream = upstream
    this.#watch = watch
    this.#keeper = keeper
    this.#log = logger.child({ module: 'docker-relay' })
  }

  async handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = endToEndHeaders(req.rawHeaders, DROP)
    const body = await readReplayable(req)
    if (body === undefined) { res.destroy(); return }
    const replayable = body.kind !== 'stream'
    const reads = onlyReads(req.method ?? '')
    const execId = execOf(req.url ?? '/')
    // Only the manager that created it has this exec: no other may be tried.
    const owner = execId === undefined ? undefined : this.#execOwners.ownerOf(execId)
    const creates = createsExec(req.method ?? '', req.url ?? '/')
    let token = await this.#token()
    if (token instanceof SwarmgateError) { sendDockerError(res, token.statusCode ?? 401, token.message); return }
    let renewed = false
    const attempts = this.#upstream.count + 2
    for (let attempt = 1; ; attempt++) {
      const chosen = owner === undefined ? await this.#upstream.choose() : { endpoint: owner, lastResort: true }
      if (chosen === undefined) { this.#fail(req, res, this.#upstream.noneUsable()); return }
      const { endpoint, lastResort } = chosen
      const again = replayable && attempt < attempts && owner === undefined
      let retry: 'renew' | 'elsewhere' | undefined
      const tail = new StreamTail(req.url ?? '/')
      const answer: Buffer[] = []
      let answerBytes = 0
      const bearer = token
      const call = this.#watch.track(endpoint, {
        headers: (rawHeaders) => {
          tail.headers(rawHeaders)
          const question = tail.ttyQuestion()
          if (question !== undefined) this.#askTty(endpoint, question, bearer, tail)
        },
        data: (chunk) => {
          tail.data(chunk)
          answerBytes += chunk.length
          if (creates && answerBytes <= CREATE_ANSWER_MAX_BYTES) answer.push(chunk)
        },
        // Not when the client itself went away (its abort fails the upstream call too).
        failed: (err) => { if (res.headersSent && res.socket?.destroyed === false) this.#lastWords(res, tail, endpoint, err) }
      }, again && reads)
      const outcome = await forwardRequest(req, res, {
        upstream: this.#upstream.callUpstream(endpoint, call.dispatcher),
        headers: [...base, 'Authorization', `Bearer ${bearer}`],
        ...(body.kind === 'buffered' ? { body: body.bytes } : {}),
        decline: (status, headers) => {
          if (status === 401 && !renewed) { retry = 'renew'; return true }
          const code = headerValue(headers, ERROR_HEADER.toLowerCase())
          const unusable = code !== undefined && (NOT_CARRIED_OUT.has(code) || (code === GATEWAY_CODES.engineFailed && reads))
          if (!unusable) return false
          this.#upstream.markUnhealthy(endpoint, `server-proxy answered ${status} ${code}`, true)
          // With no other manager to ask, its answer says best what happened.
          retry = 'elsewhere'
          return again && !lastResort && this.#upstream.pick() !== undefined
        }
      }).finally(() => { call.done() })
      if (outcome.kind === 'declined') {
        if (retry === 'renew') {
          renewed = true
          token = await this.#token(true)
          if (token instanceof SwarmgateError) { sendDockerError(res, token.statusCode ?? 401, token.message); return }
        }
        continue
      }
      if (outcome.kind === 'forwarded' && creates) {
        const id = createdId(outcome.status, Buffer.concat(answer))
        if (id !== undefined) this.#execOwners.remember(id, endpoint)
      }
      if (outcome.kind === 'failed' && !outcome.responded) {
        const err = outcome.error
        if (hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH')) { this.#fail(req, res, err); return }
        const unsent = failedBeforeSending(err) || this.#upstream.failedToConnect(err)
        if (unsent) this.#upstream.markUnhealthy(endpoint, err, false)
        if (execId !== undefined && owner !== undefined && (unsent || hasCode(err, 'SG_ERR_ENDPOINT_LOST') || !this.#upstream.isHealthy(owner))) {
          this.#fail(req, res, execOwnerUnreachable(execId, owner, err))
          return
        }
        if (unsent) {
          if (again) continue
        } else if (hasCode(err, 'SG_ERR_ENDPOINT_LOST') || !this.#upstream.isHealthy(endpoint)) {
          // The liveness watch found it gone while the call waited.
          if (again && reads) continue
          this.#fail(req, res, endpointLost(endpoint, req.method ?? '', req.url ?? '', err))
          return
        } else if (again && reads) {
          continue
        }
        const failure = describeUpstreamError(err, `the swarm at ${formatEndpoint(endpoint.host, endpoint.port)}`)
        sendDockerError(res, failure.statusCode, failure.message)
      }
      this.#log.debug({ method: req.method, path: req.url, endpoint: formatEndpoint(endpoint.host, endpoint.port), attempt, outcome: outcome.kind, status: outcome.kind === 'failed' ? undefined : outcome.status }, 'call')
      return
    }
  }

  async handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    const token = await this.#token()
    if (token instanceof SwarmgateError) { writeDockerErrorToSocket(socket, token.statusCode ?? 401, token.message); return }
    // Opened here, on a healthy manager (an exec's start on the one that created it), so that a
    // swarm with none says so in its own words.
    const execId = execOf(req.url ?? '/')
    const owner = execId === undefined ? undefined : this.#execOwners.ownerOf(execId)
    let opened: { socket: Duplex, endpoint: Endpoint }
    try {
      opened = owner === undefined ? await this.#upstream.connect() : { socket: await this.#upstream.connectTo(owner), endpoint: owner }
    } catch (err) {
      const failure = execId !== undefined && owner !== undefined && !hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH')
        ? execOwnerUnreachable(execId, owner, err as Error)
        : err instanceof SwarmgateError ? err : undefined
      const written = failure === undefined ? describeUpstreamError(err as Error, 'the swarm') : { statusCode: failure.statusCode ?? 502, message: failure.message }
      writeDockerErrorToSocket(socket, written.statusCode, written.message)
      return
    }
    // Watched like a plain call until the answer (101) starts: exec and attach wait for it.
    const call = this.#watch.track(opened.endpoint)
    opened.socket.once('data', () => { call.heard() })
    const outcome = await forwardUpgrade(req, socket, head, {
      upstream: this.#upstream.callUpstream(opened.endpoint, call.dispatcher, async () => opened.socket),
      headers: [...withoutHeaders(req.rawHeaders, DROP), 'Authorization', `Bearer ${token}`]
    }).finally(() => { call.done() })
    this.#log.debug({ method: req.method, path: req.url, hijack: true, status: outcome.status, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut }, 'hijack ended')
  }

  /**
   * A stream whose manager went away ends with a sentence where it has a place for one, written
   * before the client's connection is cut with the upstream's (stream-tail.ts).
   */
  #lastWords (res: ServerResponse, tail: StreamTail, endpoint: Endpoint, err: Error): void {
    const where = formatEndpoint(endpoint.host, endpoint.port)
    const why = hasCode(err, 'SG_ERR_ENDPOINT_LOST') ? err.message : `swarmgate: the stream from the manager at ${where} broke (${describe(err)})`
    const words = tail.words(`${why}; this stream ends here, run the command again`)
    if (words === undefined) return
    res.write(words)
    // Corked writes would be dropped by the cut that follows.
    res.uncork()
  }

  /**
   * Asks `endpoint` whether the container of a quiet logs stream has a TTY (`path`, its inspect),
   * so the stream's last words can be put where the CLI shows them (stream-tail.ts). Best effort:
   * without an answer the stream ends with the cut alone.
   */
  #askTty (endpoint: Endpoint, path: string, token: string, tail: StreamTail): void {
    this.#upstream.dispatcher.request({ origin: this.#upstream.originOf(endpoint), path, method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
      .then(async (answer) => {
        if (answer.statusCode !== 200) { await answer.body.dump(); return }
        const inspected = await answer.body.json() as { Config?: { Tty?: unknown } }
        tail.tty(inspected.Config?.Tty === true)
      })
      .catch((err: unknown) => { this.#log.debug({ endpoint: formatEndpoint(endpoint.host, endpoint.port), path, err: describe(err) }, 'no answer to whether a quiet logs stream has a TTY') })
  }

  #fail (req: IncomingMessage, res: ServerResponse, err: SwarmgateError | Error): void {
    const statusCode = err instanceof SwarmgateError ? err.statusCode ?? 502 : 502
    this.#log.warn({ method: req.method, path: req.url, err: describe(err) }, 'call failed')
    sendDockerError(res, statusCode, err.message)
  }

  /** The token to use, or the error to answer with when none can be had. */
  async #token (renew = false): Promise<string | SwarmgateError> {
    try {
      return renew ? await this.#keeper.renew() : await this.#keeper.token()
    } catch (err) {
      if (err instanceof SwarmgateError && err.code === 'SG_ERR_LOGIN_REFUSED') return errors.SG_ERR_NOT_LOGGED_IN(err.message.replace(/^swarmgate: /, ''))
      if (err instanceof SwarmgateError && err.statusCode !== undefined) return err
      const failure = describeUpstreamError(err as Error, 'the swarm')
      return new SwarmgateError('SG_ERR_ALL_ENDPOINTS_DOWN', failure.message, { statusCode: failure.statusCode, cause: err })
    }
  }
}

/** The answer to a call on exec `id` whose manager `owner`, the only one that has it, cannot be reached. */
function execOwnerUnreachable (id: string, owner: Endpoint, err: Error): SwarmgateError {
  const why = hasCode(err, 'SG_ERR_ENDPOINT_LOST') ? 'it stopped answering' : describe(err)
  return errors.SG_ERR_EXEC_OWNER_UNREACHABLE(`exec ${id} was created on the manager at ${formatEndpoint(owner.host, owner.port)} (${why}) and exists only there; run the command again`, err)
}

/**
 * The request's body as far as it decides replaying: none, read whole when it is small and its
 * length is declared, or left to stream. Undefined when the client went away while it was read.
 */
async function readReplayable (req: IncomingMessage): Promise<Body | undefined> {
  if (!hasRequestBody(req)) return { kind: 'none' }
  const length = Number(req.headers['content-length'])
  if (!Number.isSafeInteger(length) || length > REPLAY_MAX_BYTES) return { kind: 'stream' }
  const chunks: Buffer[] = []
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer)
  } catch {
    return undefined
  }
  return req.complete ? { kind: 'buffered', bytes: Buffer.concat(chunks) } : undefined
}

/** A call whose manager stopped answering after it was sent: it may have been carried out, so it is not sent again. */
export function endpointLost (endpoint: Endpoint, method: string, target: string, cause?: unknown): SwarmgateError {
  return errors.SG_ERR_ENDPOINT_LOST(`${formatEndpoint(endpoint.host, endpoint.port)} stopped answering during ${method} ${target}, which may or may not have been carried out; the next call goes to another manager`, cause)
}
