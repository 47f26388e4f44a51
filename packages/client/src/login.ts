/**
 * Logging in to a swarm: the token endpoint of server-proxy (docs/protocol.md), over TLS checked
 * against the pinned fingerprint before a single byte of the request is sent, trying each endpoint
 * in turn until one answers.
 */
import http from 'node:http'
import { isIP } from 'node:net'
import tls from 'node:tls'
import { checkPin, hasCode, PATHS, SwarmgateError } from '@swarmgate/core'
import { parseEndpoint } from './endpoints.js'
import { errors } from './errors.js'

const CONNECT_TIMEOUT_MS = 10_000

export interface TokenAnswer {
  readonly refreshToken: string
  readonly account: string
}

export type Grant =
  | { readonly grant_type: 'password', readonly username: string, readonly password: string }
  | { readonly grant_type: 'refresh_token', readonly refresh_token: string }

interface TokenResponse {
  readonly status: number
  readonly body: { access_token?: string, refresh_token?: string, account?: string, error?: string, message?: string, error_description?: string }
}

async function connectPinned (endpoint: string, pin: string): Promise<tls.TLSSocket> {
  const { host, port } = parseEndpoint(endpoint)
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      servername: isIP(host) === 0 ? host : undefined,
      minVersion: 'TLSv1.2',
      // The pin, checked below, is the trust anchor; no public CA vouches for a swarm.
      rejectUnauthorized: false
    })
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS)
    socket.once('error', (err) => { clearTimeout(timer); reject(err) })
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const problem = checkPin(socket, pin)
      if (problem === undefined) { resolve(socket); return }
      socket.destroy()
      reject(problem)
    })
  })
}

async function postToken (endpoint: string, pin: string, form: URLSearchParams): Promise<TokenResponse> {
  const socket = await connectPinned(endpoint, pin)
  const body = form.toString()
  return await new Promise((resolve, reject) => {
    const req = http.request({
      createConnection: () => socket,
      method: 'POST',
      path: PATHS.token,
      headers: { host: endpoint, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), accept: 'application/json' }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => {
        socket.destroy()
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as TokenResponse['body'] })
        } catch {
          reject(errors.SG_ERR_CLIENT_LOGIN_FAILED(`${endpoint} answered ${res.statusCode ?? 0} with something that is not a swarmgate token answer; is it a swarmgate server-proxy?`))
        }
      })
    })
    req.on('error', reject)
    req.end(body)
  })
}

function describe (err: unknown): string {
  if (err instanceof SwarmgateError) return err.message
  const e = err as Error & { code?: string }
  return e.code === undefined || e.message.includes(e.code) ? e.message : `${e.message} (${e.code})`
}

/**
 * Asks the swarm for tokens with `grant`, trying `endpoints` in order. A refused login is
 * SG_ERR_CLIENT_LOGIN_REFUSED; when no endpoint could be used the error names each one's problem,
 * with the code SG_ERR_TLS_PIN_MISMATCH when a certificate did not match.
 */
export async function requestTokens (endpoints: readonly string[], pin: string, swarm: string, grant: Grant): Promise<TokenAnswer> {
  const form = new URLSearchParams({ ...grant, audience: swarm })
  const problems: string[] = []
  let pinMismatch: SwarmgateError | undefined
  for (const endpoint of endpoints) {
    let res: TokenResponse
    try {
      res = await postToken(endpoint, pin, form)
    } catch (err) {
      if (hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH')) pinMismatch = err
      problems.push(`${endpoint}: ${describe(err)}`)
      continue
    }
    const { status, body } = res
    if (status === 200 && typeof body.refresh_token === 'string') {
      return { refreshToken: body.refresh_token, account: body.account ?? ('username' in grant ? grant.username : '') }
    }
    const why = body.message ?? body.error_description ?? body.error ?? `status ${status}`
    if (body.error === 'invalid_grant') {
      throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(grant.grant_type === 'password' ? `wrong username or password for ${swarm} (${why})` : `the saved login is no longer valid (${why})`)
    }
    // The server says how long to wait (its message, and Retry-After): per account and address, per address, or a busy queue.
    if (body.error === 'slow_down') throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(why.replace(/^swarmgate: /, ''))
    if (body.error === 'invalid_target') throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(`${endpoint} is not the swarm ${swarm} (${why}); check the name and --endpoint`)
    throw errors.SG_ERR_CLIENT_LOGIN_FAILED(`${endpoint} answered ${status}: ${why}`)
  }
  const detail = `none of its endpoints could be used:\n  ${problems.join('\n  ')}`
  if (pinMismatch !== undefined) throw new SwarmgateError('SG_ERR_TLS_PIN_MISMATCH', `the swarm ${swarm} did not prove its identity; ${detail}\nCheck --fingerprint against what registration printed.`, { cause: pinMismatch })
  throw errors.SG_ERR_CLIENT_UNREACHABLE(`${swarm}: ${detail}\nCheck --endpoint and that server-proxy runs (registration status, on a manager).`)
}
