/**
 * Holds client-proxy's access token: gets one at start with the refresh token (or password) it was
 * given, renews it `margin` seconds before it expires, and renews at once on demand (after a 401).
 * Renewals are single-flight. The refresh token file is read again before each renewal, so a new
 * login by the client (which rewrites the file) is picked up without restarting the proxy.
 */
import { readFile } from 'node:fs/promises'
import type { Dispatcher } from 'undici'
import { PATHS, hasCode, type Logger } from '@swarmgate/core'
import type { LivenessWatch, SwarmUpstream } from './swarm/index.js'
import { errors } from './errors.js'

export type Credentials =
  | { readonly refreshTokenFile: string }
  | { readonly username: string, readonly passwordFile: string }

interface TokenResponse {
  readonly access_token: string
  readonly expires_in: number
  readonly refresh_token?: string
  readonly account?: string
}

export interface TokenState {
  readonly account: string | undefined
  readonly expiresAt: number
}

const RETRY_MIN_MS = 2_000
const RETRY_MAX_MS = 60_000

export class TokenKeeper {
  readonly #upstream: SwarmUpstream
  readonly #watch: LivenessWatch
  readonly #swarm: string
  readonly #credentials: Credentials
  readonly #margin: number
  readonly #log: Logger
  #token: string | undefined
  #state: TokenState | undefined
  #inflight: Promise<string> | undefined
  #timer: NodeJS.Timeout | undefined
  #retryMs = RETRY_MIN_MS
  #stopped = false

  constructor (opts: { upstream: SwarmUpstream, watch: LivenessWatch, swarm: string, credentials: Credentials, marginSeconds: number, logger: Logger }) {
    this.#upstream = opts.upstream
    this.#watch = opts.watch
    this.#swarm = opts.swarm
    this.#credentials = opts.credentials
    this.#margin = opts.marginSeconds
    this.#log = opts.logger.child({ module: 'token-keeper' })
  }

  /** The current state, if a token is held and has not expired. */
  get state (): TokenState | undefined {
    return this.#state !== undefined && this.#state.expiresAt > Date.now() ? this.#state : undefined
  }

  /** The access token held, if it has not expired: what token() gives without waiting. */
  get held (): string | undefined {
    return this.state === undefined ? undefined : this.#token
  }

  /** A valid access token, renewed first if it has expired. */
  async token (): Promise<string> {
    return this.held ?? await this.renew()
  }

  /** Gets a new access token now (single-flight). */
  async renew (): Promise<string> {
    this.#inflight ??= this.#obtain().finally(() => { this.#inflight = undefined })
    return await this.#inflight
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  async #obtain (): Promise<string> {
    try {
      const response = await this.#request(await this.#grant())
      this.#token = response.access_token
      this.#state = { account: response.account, expiresAt: Date.now() + response.expires_in * 1000 }
      this.#retryMs = RETRY_MIN_MS
      this.#schedule(Math.max(5, response.expires_in - this.#margin) * 1000)
      this.#log.info({ account: response.account, expiresIn: response.expires_in }, 'access token renewed')
      return response.access_token
    } catch (err) {
      this.#token = undefined
      this.#state = undefined
      // A refused login stays refused until the client logs in again (it rewrites the token file),
      // so keep trying, slowly; a network failure is retried sooner.
      this.#schedule(this.#retryMs)
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS)
      this.#log.warn({ err }, 'could not renew the access token')
      throw err
    }
  }

  #schedule (ms: number): void {
    clearTimeout(this.#timer)
    if (this.#stopped) return
    this.#timer = setTimeout(() => { this.renew().catch(() => {}) }, ms)
    this.#timer.unref()
  }

  async #grant (): Promise<URLSearchParams> {
    const read = async (path: string, what: string): Promise<string> => {
      try {
        return (await readFile(path, 'utf8')).trim()
      } catch (err) {
        throw errors.SG_ERR_FILE_UNREADABLE(`${what} at ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, err)
      }
    }
    const form = new URLSearchParams({ audience: this.#swarm })
    if ('refreshTokenFile' in this.#credentials) {
      form.set('grant_type', 'refresh_token')
      form.set('refresh_token', await read(this.#credentials.refreshTokenFile, 'the refresh token'))
    } else {
      form.set('grant_type', 'password')
      form.set('username', this.#credentials.username)
      form.set('password', await read(this.#credentials.passwordFile, 'the password'))
    }
    return form
  }

  /** POSTs to the token endpoint of a healthy manager, marking each that cannot be reached unhealthy and trying the next. */
  async #post (form: URLSearchParams): Promise<Dispatcher.ResponseData> {
    for (let attempt = 1; ; attempt++) {
      // The token service needs no engine: a manager whose engine is gone still answers it.
      const endpoint = (await this.#upstream.choose())?.endpoint ?? this.#upstream.endpoint
      // Watched like a call: a manager gone silent fails the request in a second, not in 15.
      const call = this.#watch.track(endpoint)
      try {
        return await call.dispatcher.request({
          origin: this.#upstream.originOf(endpoint),
          path: PATHS.token,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          headersTimeout: 15_000,
          bodyTimeout: 15_000
        })
      } catch (err) {
        if (hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH') || attempt >= this.#upstream.count) throw err
        this.#upstream.markUnhealthy(endpoint, err as Error, false)
      } finally {
        call.done()
      }
    }
  }

  async #request (form: URLSearchParams): Promise<TokenResponse> {
    const res = await this.#post(form)
    const text = await res.body.text()
    let body: Partial<TokenResponse> & { message?: string }
    try { body = JSON.parse(text) as typeof body } catch { throw errors.SG_ERR_TOKEN_SERVICE(`status ${res.statusCode}, not JSON`) }
    if (res.statusCode === 200 && typeof body.access_token === 'string' && typeof body.expires_in === 'number') return body as TokenResponse
    if (res.statusCode === 400 || res.statusCode === 429) throw errors.SG_ERR_LOGIN_REFUSED((body.message ?? '').replace(/^swarmgate: /, ''))
    throw errors.SG_ERR_TOKEN_SERVICE(`status ${res.statusCode}`)
  }
}
