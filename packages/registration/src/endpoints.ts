/**
 * Where clients reach server-proxy: `host:port` for each manager. By default the managers'
 * advertise addresses (what `docker node ls` shows them as) with the published port; --endpoint
 * overrides them, for addresses behind NAT or DNS names. The server certificate names them all.
 */
import { isIP } from 'node:net'
import { formatEndpoint, managerHosts, type SwarmNode } from '@swarmgate/core'
import { errors } from './errors.js'

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** Parses `host[:port]` (IPv6 in brackets) into a normalised `host:port`. */
export function parseEndpoint (value: string, defaultPort: number): { host: string, port: number, endpoint: string } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(value.trim())
  const host = m?.[1]?.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  const port = m?.[2] === undefined ? defaultPort : Number(m[2])
  if (host === undefined || (isIP(host) === 0 && !HOSTNAME.test(host)) || port < 1 || port > 65535) {
    throw errors.SG_ERR_REGISTRATION_ENDPOINT(`"${value}" is not host[:port] (an IP address or DNS name, IPv6 in brackets, port 1 to 65535)`)
  }
  return { host, port, endpoint: formatEndpoint(host, port) }
}

/** The endpoints to print: --endpoint values, or every manager's address with `port`. */
export function chooseEndpoints (given: readonly string[], nodes: readonly SwarmNode[], port: number): string[] {
  if (given.length > 0) return [...new Set(given.map((e) => parseEndpoint(e, port).endpoint))]
  return managerHosts(nodes).map((h) => formatEndpoint(h, port))
}

/** The names a server certificate must carry: every manager address and every endpoint host. */
export function requiredSans (endpoints: readonly string[], nodes: readonly SwarmNode[]): string[] {
  const hosts = endpoints.map((e) => parseEndpoint(e, 1).host)
  return [...new Set([...managerHosts(nodes), ...hosts])]
}
