/** The server-proxy endpoints a swarm is reached at: `host:port`, port 2376 unless given. */
import { isIP } from 'node:net'
import { errors } from './errors.js'

export const DEFAULT_SERVER_PORT = 2376

/** Parses `host[:port]` (IPv6 in brackets) into host, port and the normalised `host:port`. */
export function parseEndpoint (value: string): { host: string, port: number, endpoint: string } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+)(?::(\d{1,5}))?$/.exec(value.trim())
  const host = m?.[1]?.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  const port = m?.[2] === undefined ? DEFAULT_SERVER_PORT : Number(m[2])
  if (host === undefined || host === '' || port < 1 || port > 65535) {
    throw errors.SG_ERR_CLIENT_ENDPOINT(`"${value}" is not host[:port] (IPv6 in brackets), as registration printed it`)
  }
  return { host, port, endpoint: `${isIP(host) === 6 ? `[${host}]` : host}:${port}` }
}
