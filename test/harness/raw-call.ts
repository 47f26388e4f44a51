/**
 * One Docker API call made by hand, through the chain (client-proxy) or on the engine socket, for
 * what the CLI hides: response headers (ping negotiation, Content-Encoding) and exact body bytes.
 */
import http from 'node:http'
import { ENGINE_SOCKET } from '../testbed/docker.js'
import type { Chain } from './chain.js'

export interface RawAnswer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
}

/** Sends `method path` with `headers` to client-proxy of `via`, or to the engine socket. */
export async function rawCall (via: Chain | 'socket', method: string, path: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const target = via === 'socket'
    ? { socketPath: ENGINE_SOCKET }
    : { host: '127.0.0.1', port: Number(new URL(via.dockerHost.replace('tcp:', 'http:')).port) }
  return await new Promise((resolve, reject) => {
    http.request({ ...target, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject).end()
  })
}
