/**
 * The docker CLI side of client-proxy: every call gets the current access token and goes to the
 * swarm. A 401 on a call without a body is retried once with a renewed token; a call without a
 * body whose endpoint cannot be reached is retried on the next manager. Calls with a body are
 * never replayed (the body has been streamed and is gone), so they fail with the upstream's error.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  SwarmgateError, describeUpstreamError, endToEndHeaders, forwardRequest, forwardUpgrade, hasRequestBody,
  sendDockerError, withoutHeaders, writeDockerErrorToSocket, type Logger
} from '@swarmgate/core'
import type { SwarmUpstream } from './swarm-upstream.js'
import type { TokenKeeper } from './token-keeper.js'
import { errors } from './errors.js'

const DROP = new Set(['authorization'])
/** Failures that happen before a request is sent, so retrying it elsewhere cannot repeat it. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

export class DockerRelay {
  readonly #upstream: SwarmUpstream
  readonly #keeper: TokenKeeper
  readonly #log: Logger

  constructor (upstream: SwarmUpstream, keeper: TokenKeeper, logger: Logger) {
    this.#upstream = upstream
    this.#keeper = keeper
    this.#log = logger.child({ module: 'docker-relay' })
  }

  async handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const base = endToEndHeaders(req.rawHeaders, DROP)
    const withBody = hasRequestBody(req)
    let token = await this.#token()
    if (token instanceof SwarmgateError) { sendDockerError(res, token.statusCode ?? 401, token.message); return }
    let renewed = false
    let failovers = 0
    for (;;) {
      const endpoint = this.#upstream.endpoint
      const outcome = await forwardRequest(req, res, {
        upstream: this.#upstream,
        headers: [...base, 'Authorization', `Bearer ${token}`],
        decline: (status) => status === 401 && !renewed
      })
      if (outcome.kind === 'declined') {
        renewed = true
        token = await this.#token(true)
        if (token instanceof SwarmgateError) { sendDockerError(res, token.statusCode ?? 401, token.message); return }
        continue
      }
      if (outcome.kind === 'failed' && !outcome.responded) {
        const code = (outcome.error as { code?: string }).code ?? ''
        if (NOT_SENT.has(code)) {
          this.#upstream.failover(endpoint, outcome.error)
          if (!withBody && ++failovers < this.#upstream.count) continue
        }
        const failure = describeUpstreamError(outcome.error, this.#upstream.name)
        sendDockerError(res, failure.statusCode, failure.message)
      }
      this.#log.debug({ method: req.method, path: req.url, outcome: outcome.kind, status: outcome.kind === 'failed' ? undefined : outcome.status }, 'call')
      return
    }
  }

  async handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    const token = await this.#token()
    if (token instanceof SwarmgateError) { writeDockerErrorToSocket(socket, token.statusCode ?? 401, token.message); return }
    const outcome = await forwardUpgrade(req, socket, head, {
      upstream: this.#upstream,
      headers: [...withoutHeaders(req.rawHeaders, DROP), 'Authorization', `Bearer ${token}`]
    })
    this.#log.debug({ method: req.method, path: req.url, hijack: true, status: outcome.status, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut }, 'hijack ended')
  }

  /** The token to use, or the error to answer with when none can be had. */
  async #token (renew = false): Promise<string | SwarmgateError> {
    try {
      return renew ? await this.#keeper.renew() : await this.#keeper.token()
    } catch (err) {
      if (err instanceof SwarmgateError && err.code === 'SG_ERR_LOGIN_REFUSED') return errors.SG_ERR_NOT_LOGGED_IN(err.message.replace(/^swarmgate: /, ''))
      if (err instanceof SwarmgateError && err.statusCode !== undefined) return err
      const failure = describeUpstreamError(err as Error, this.#upstream.name)
      return new SwarmgateError('SG_ERR_ALL_ENDPOINTS_DOWN', failure.message, { statusCode: failure.statusCode, cause: err })
    }
  }
}
