/**
 * Where the swarm's managers are reached, as the swarm itself knows them: registration prints
 * these endpoints and server-proxy tells client-proxy the current ones (PATHS.endpoints).
 */
import { isIP } from 'node:net'
import type { SwarmNode } from './engine/types.js'

/** `host:port`, with IPv6 hosts in brackets. */
export function formatEndpoint (host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}

/** The hosts of the managers' advertise addresses, leader first, as the swarm knows them. */
export function managerHosts (nodes: readonly SwarmNode[]): string[] {
  const managers = nodes.filter((n) => n.ManagerStatus !== undefined)
  managers.sort((a, b) => Number(b.ManagerStatus?.Leader === true) - Number(a.ManagerStatus?.Leader === true))
  const hosts = managers.map((n) => (n.ManagerStatus?.Addr ?? n.Status.Addr).replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'))
  return [...new Set(hosts.filter((h) => h !== '' && h !== '0.0.0.0'))]
}
