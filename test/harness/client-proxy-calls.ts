/**
 * Calls to a client-proxy process as the docker CLI makes them, for the failover tests: a call on
 * one kept-alive connection (the CLI's, reused), and client-proxy's own health answer, which says
 * where calls go and why each manager is or is not usable.
 */
import http from 'node:http'
import { PATHS } from '@swarmgate/core'
import { httpCall } from './chain.js'

/** Far above any deadline client-proxy has: reaching it is a hang. */
const HANG_MS = 30_000

export interface AgentAnswer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
  /** The local port of the connection it came on (0 when none was made): the same port, the same connection. */
  readonly localPort: number
}

/** One GET of `path` on `agent`'s connection to `base`; status 0 and the error as body when it failed. */
export async function callOn (base: string, agent: http.Agent, path: string): Promise<AgentAnswer> {
  return await new Promise<AgentAnswer>((resolve) => {
    let localPort = 0
    const req = http.request(`${base}${path}`, { agent, timeout: HANG_MS }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, localPort }))
      res.on('error', (err) => resolve({ status: 0, headers: {}, body: err.message, localPort }))
    })
    req.on('socket', (socket) => {
      if (socket.localPort !== undefined) localPort = socket.localPort
      else socket.once('connect', () => { localPort = socket.localPort ?? 0 })
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HANG_MS} ms`)))
    req.on('error', (err) => resolve({ status: 0, headers: {}, body: err.message, localPort }))
    req.end()
  })
}

/** What client-proxy's health endpoint says of the managers. */
export interface ClientProxyHealth {
  /** The endpoint calls go to now. */
  readonly endpoint: string
  readonly endpoints: ReadonlyArray<{ endpoint: string, healthy: boolean, reason?: string }>
}

/** client-proxy's health answer at `base` (http://127.0.0.1:PORT). */
export async function clientProxyHealth (base: string): Promise<ClientProxyHealth> {
  return JSON.parse((await httpCall(`${base}${PATHS.health}`)).body) as ClientProxyHealth
}
