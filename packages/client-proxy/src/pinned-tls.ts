/**
 * TLS connections to server-proxy, trusted by a pinned fingerprint (the swarm has its own CA, no
 * public one vouches for it) or by a CA bundle. Sockets are half-open capable: a hijacked exec
 * must be able to close its write side and keep reading.
 */
import net from 'node:net'
import tls from 'node:tls'
import { checkPin, openSocket } from '@swarmgate/core'

export type Trust = { readonly pin: string } | { readonly ca: string }

export interface Endpoint {
  readonly host: string
  readonly port: number
}

/**
 * Opens a verified TLS connection to an endpoint within `deadlineMs` (connect and handshake);
 * rejects with the pin mismatch, the network error, or UND_ERR_CONNECT_TIMEOUT: an address whose
 * packets vanish (a manager powered off) would otherwise hold the call for minutes.
 */
export async function connectPinned (endpoint: Endpoint, trust: Trust, deadlineMs: number): Promise<tls.TLSSocket> {
  // allowHalfOpen is honoured by tls.connect but missing from @types/node's ConnectionOptions.
  const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
    host: endpoint.host,
    port: endpoint.port,
    ...(net.isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {}),
    allowHalfOpen: true,
    minVersion: 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
    ...('ca' in trust ? { ca: trust.ca } : { rejectUnauthorized: false })
  }
  let timer: NodeJS.Timeout | undefined
  const socket = await openSocket(() => {
    const s = tls.connect(options)
    timer = setTimeout(() => {
      s.destroy(Object.assign(new Error(`no TLS connection to ${endpoint.host}:${endpoint.port} within ${deadlineMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' }))
    }, deadlineMs)
    return s
  }, 'secureConnect').finally(() => clearTimeout(timer))
  if ('pin' in trust) {
    const problem = checkPin(socket, trust.pin)
    if (problem !== undefined) {
      socket.destroy()
      throw problem
    }
  }
  return socket
}

/** Parses `host:port` (IPv6 as `[::1]:2376`); returns undefined when malformed. */
export function parseEndpoint (text: string): Endpoint | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim())
  const port = Number(m?.[3])
  if (m === null || port < 1 || port > 65535) return undefined
  return { host: (m[1] ?? m[2]) as string, port }
}
