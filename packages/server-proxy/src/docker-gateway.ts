/**
 * The Docker API side of server-proxy: every call outside the reserved prefix must carry a valid
 * access token; then it is forwarded to the engine socket with the Authorization header removed
 * and every other header exactly as received. A refused call never opens a connection to the
 * engine. One log line per call; hijacked sessions are logged when they start and when they end.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import {
  SwarmgateError, describeUpstreamError, endToEndHeaders, forwardRequest, forwardUpgrade,
  sendDockerError, withoutHeaders, writeDockerErrorToSocket, type Logger, type Upstream
} from '@swarmgate/core'
import type { SigningKeySet } from './signing-keys.js'
import type { AccessCache } from './access-cache.js'
import { ACCESS_TYPE, verifyToken, type TokenSettings, type VerifiedToken } from './tokens.js'
import { errors } from './errors.js'

const DROP = new Set(['authorization'])
const BEARER = /^Bearer ([A-Za-z0-9_.-]+)$/

export interface GatewayOptions {
  readonly keys: SigningKeySet
  readonly settings: TokenSettings
  readonly cache: AccessCache
  readonly upstream: Upstream
  readonly logger: Logger
}

export class DockerGateway {
  readonly #opts: GatewayOptions
  readonly #log: Logger

  constructor (opts: GatewayOptions) {
    this.#opts = opts
    this.#log = opts.logger.child({ module: 'docker-gateway' })
  }

  /** Verifies the call's bearer token (cache first); throws the refusal. */
  async authorize (req: IncomingMessage): Promise<VerifiedToken> {
    const header = req.headers.authorization
    if (header === undefined) throw errors.SG_ERR_AUTH_MISSING()
    const token = BEARER.exec(header)?.[1]
    if (token === undefined) throw errors.SG_ERR_AUTH_MALFORMED('expected Authorization: Bearer <token>')
    const cached = this.#opts.cache.get(token)
    if (cached !== undefined) return cached
    const verified = await verifyToken(this.#opts.keys, this.#opts.settings, ACCESS_TYPE, token)
    this.#opts.cache.set(token, verified)
    return verified
  }

  /** Handles a plain Docker API call. */
  async handleRequest (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now()
    // Kept here: req.socket is detached once the response has finished.
    const socket = req.socket
    const readBefore = socket.bytesRead
    const writtenBefore = socket.bytesWritten
    const log = this.#log.child({ reqId: randomUUID() })
    let account: string
    try {
      account = (await this.authorize(req)).sub
    } catch (err) {
      const refusal = asRefusal(err)
      sendDockerError(res, refusal.statusCode ?? 401, refusal.message)
      log.info({ method: req.method, path: req.url, status: refusal.statusCode, code: refusal.code, durationMs: elapsed(started) }, 'call refused')
      return
    }
    const outcome = await forwardRequest(req, res, {
      upstream: this.#opts.upstream,
      headers: endToEndHeaders(req.rawHeaders, DROP)
    })
    let status = outcome.kind === 'failed' ? 0 : outcome.status
    if (outcome.kind === 'failed' && !outcome.responded) {
      const failure = describeUpstreamError(outcome.error, this.#opts.upstream.name)
      sendDockerError(res, failure.statusCode, failure.message)
      status = failure.statusCode
    }
    log.info({
      account,
      method: req.method,
      path: req.url,
      status,
      bytesIn: socket.bytesRead - readBefore,
      bytesOut: socket.bytesWritten - writtenBefore,
      durationMs: elapsed(started),
      ...(outcome.kind === 'forwarded' && outcome.clientAborted ? { clientAborted: true } : {}),
      ...(outcome.kind === 'failed' ? { err: outcome.error } : {})
    }, 'call')
  }

  /** Handles a hijacked call (attach, exec start, BuildKit session) from the server's 'upgrade' event. */
  async handleUpgrade (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now()
    const log = this.#log.child({ reqId: randomUUID() })
    socket.on('error', () => socket.destroy())
    let account: string
    try {
      account = (await this.authorize(req)).sub
    } catch (err) {
      const refusal = asRefusal(err)
      writeDockerErrorToSocket(socket, refusal.statusCode ?? 401, refusal.message)
      log.info({ method: req.method, path: req.url, status: refusal.statusCode, code: refusal.code, hijack: true }, 'call refused')
      return
    }
    log.info({ account, method: req.method, path: req.url, hijack: true }, 'hijack started')
    const outcome = await forwardUpgrade(req, socket, head, { upstream: this.#opts.upstream, headers: withoutHeaders(req.rawHeaders, DROP) })
    log.info({ account, method: req.method, path: req.url, hijack: true, status: outcome.status, bytesIn: outcome.bytesIn, bytesOut: outcome.bytesOut, durationMs: elapsed(started), ...(outcome.error === undefined ? {} : { err: outcome.error }) }, 'hijack ended')
  }
}

function asRefusal (err: unknown): SwarmgateError {
  return err instanceof SwarmgateError ? err : errors.SG_ERR_AUTH_MALFORMED()
}

function elapsed (started: number): number {
  return Math.round((performance.now() - started) * 100) / 100
}
