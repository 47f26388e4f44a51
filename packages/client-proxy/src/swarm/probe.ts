/**
 * One small GET to one endpoint over a fresh pinned TLS connection, with one deadline for
 * everything (connect, handshake, answer): how client-proxy asks whether a manager is alive or
 * healthy without touching the pooled connections its calls use, which may be the dead ones.
 */
import http from 'node:http'
import { formatEndpoint } from '@swarmgate/core'
import { connectPinned, type Endpoint, type Trust } from '../pinned-tls.js'

export interface ProbeAnswer {
  readonly status: number
  readonly body: string
  /** How long connecting and the TLS handshake took. */
  readonly connectMs: number
}

/** Answers above this are cut: probes read JSON of a few hundred bytes. */
const MAX_BODY = 64 * 1024

/** GETs `path` on `endpoint`; rejects with the network error or UND_ERR_CONNECT_TIMEOUT / ETIMEDOUT past `deadlineMs`. */
export async function probeEndpoint (endpoint: Endpoint, trust: Trust, path: string, opts: { deadlineMs: number, headers?: Record<string, string> }): Promise<ProbeAnswer> {
  const started = Date.now()
  const socket = await connectPinned(endpoint, trust, opts.deadlineMs)
  const connectMs = Date.now() - started
  return await new Promise<ProbeAnswer>((resolve, reject) => {
    const left = Math.max(1, opts.deadlineMs - (Date.now() - started))
    const timer = setTimeout(() => {
      socket.destroy()
      reject(Object.assign(new Error(`no answer to GET ${path} within ${opts.deadlineMs} ms`), { code: 'ETIMEDOUT' }))
    }, left)
    const req = http.request({
      createConnection: () => socket,
      method: 'GET',
      path,
      headers: { host: formatEndpoint(endpoint.host, endpoint.port), accept: 'application/json', connection: 'close', ...opts.headers }
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { if (body.length < MAX_BODY) body += chunk })
      res.on('end', () => { clearTimeout(timer); socket.destroy(); resolve({ status: res.statusCode ?? 0, body, connectMs }) })
      res.on('error', (err) => { clearTimeout(timer); socket.destroy(); reject(err) })
    })
    req.on('error', (err) => { clearTimeout(timer); socket.destroy(); reject(err) })
    req.end()
  })
}
