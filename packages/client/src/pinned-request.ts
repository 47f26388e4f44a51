/**
 * One request to a swarm's server-proxy: over TLS checked against the pinned fingerprint before a
 * single byte of the request is sent, trying each endpoint in turn until one gives an answer its
 * caller can read. Login (login.ts) and the identity question (identity.ts) go through here.
 */
import http from 'node:http'
import { isIP } from 'node:net'
import tls from 'node:tls'
import { checkPin, hasCode, SwarmgateError } from '@swarmgate/core'
import { parseEndpoint } from './endpoints.js'
import { errors } from './errors.js'

const CONNECT_TIMEOUT_MS = 10_000

export interface SwarmRequest {
  readonly method: 'GET' | 'POST'
  readonly path: string
  /** A form body (application/x-www-form-urlencoded). */
  readonly form?: URLSearchParams
}

/** What an endpoint answered. */
export interface SwarmAnswer {
  readonly endpoint: string
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly text: string
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

async function send (endpoint: string, pin: string, request: SwarmRequest): Promise<SwarmAnswer> {
  const socket = await connectPinned(endpoint, pin)
  const body = request.form?.toString()
  const headers: http.OutgoingHttpHeaders = { host: endpoint, accept: 'application/json' }
  if (body !== undefined) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) })
  return await new Promise((resolve, reject) => {
    const req = http.request({ createConnection: () => socket, method: request.method, path: request.path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => {
        socket.destroy()
        resolve({ endpoint, status: res.statusCode ?? 0, headers: res.headers, text })
      })
      res.on('error', reject)
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
 * Sends `request` to the first of `endpoints` that answers and returns what `read` makes of the
 * answer; an endpoint that cannot be reached, or whose answer `read` finds is not swarmgate's
 * (undefined), is skipped for the next. When none could be used the error names each one's
 * problem, with the code SG_ERR_TLS_PIN_MISMATCH when a certificate did not match (else
 * SG_ERR_CLIENT_UNREACHABLE).
 */
export async function askSwarm<T> (endpoints: readonly string[], pin: string, swarm: string, request: SwarmRequest, read: (answer: SwarmAnswer) => T | undefined): Promise<T> {
  const problems: string[] = []
  let pinMismatch: SwarmgateError | undefined
  for (const endpoint of endpoints) {
    let answer: SwarmAnswer
    try {
      answer = await send(endpoint, pin, request)
    } catch (err) {
      if (hasCode(err, 'SG_ERR_TLS_PIN_MISMATCH')) pinMismatch = err
      problems.push(`${endpoint}: ${describe(err)}`)
      continue
    }
    const result = read(answer)
    if (result !== undefined) return result
    problems.push(`${endpoint}: answered ${answer.status} with something that is not a swarmgate answer; is it a swarmgate server-proxy?`)
  }
  const detail = `none of its endpoints could be used:\n  ${problems.join('\n  ')}`
  if (pinMismatch !== undefined) throw new SwarmgateError('SG_ERR_TLS_PIN_MISMATCH', `the swarm ${swarm} did not prove its identity; ${detail}\nCheck --fingerprint against what registration printed.`, { cause: pinMismatch })
  throw errors.SG_ERR_CLIENT_UNREACHABLE(`${swarm}: ${detail}\nCheck --endpoint and that server-proxy runs (registration status, on a manager).`)
}
