/**
 * The journey's steps (test/e2e/journey-steps.ts) as the lab's tests take them: registration run
 * on a lab node, and the client run on this machine, on its network, since the lab's nodes are
 * reachable from this machine and not from the engine's default bridge.
 */
import http from 'node:http'
import { PATHS } from '@swarmgate/core'
import { runDocker, type RunResult } from '../testbed/index.js'
import { nodeHost, type LabNode } from '../testbed/lab/index.js'
import { client, registration } from '../e2e/journey-steps.js'

/** Registration of `swarm` for alice with `password`, run on `node`'s engine with its socket. */
export async function registerOn (node: LabNode, swarm: string, password: string, extra: readonly string[] = []): Promise<RunResult> {
  return await registration(['--username', 'alice', '--password-stdin', '--name', swarm, ...extra], { host: nodeHost(node), input: `${password}\n` })
}

export interface LoginOptions {
  readonly swarm: string
  readonly password: string
  readonly endpoints: readonly string[]
  readonly fingerprint: string
  /** The client's state volume on this machine's engine. */
  readonly volume: string
}

/** The client on this machine logging alice in through `endpoints`, client-proxy on the host network; prints only the export line. */
export async function logInFromThisMachine (opts: LoginOptions): Promise<RunResult> {
  return await client(opts.volume, [opts.swarm, ...opts.endpoints.flatMap((e) => ['--endpoint', e]), '--fingerprint', opts.fingerprint,
    '--username', 'alice', '--password-stdin', '--network', 'host', '--quiet'], { input: `${opts.password}\n`, runArgs: ['--network', 'host'] })
}

/** What client-proxy's own health endpoint says of the managers. */
export interface ProxyHealth {
  /** The endpoint calls go to now. */
  readonly endpoint: string
  readonly endpoints: ReadonlyArray<{ readonly endpoint: string, readonly healthy: boolean, readonly reason?: string }>
}

/** client-proxy's own health answer at `host` (tcp://127.0.0.1:PORT, the exported DOCKER_HOST). */
export async function proxyHealth (host: string): Promise<ProxyHealth> {
  // node:http, not fetch: fetch sends Sec-Fetch-Mode, which client-proxy refuses as a web page's.
  return await new Promise((resolve, reject) => {
    const req = http.get(`${host.replace(/^tcp:/, 'http:')}${PATHS.health}`, { timeout: 15_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c })
      res.on('end', () => { try { resolve(JSON.parse(body) as ProxyHealth) } catch (err) { reject(err) } })
    })
    req.on('timeout', () => req.destroy(new Error('client-proxy\'s health endpoint did not answer within 15 s')))
    req.on('error', reject)
  })
}

/** The lab node an endpoint (`address:port`) names. */
export function nodeOf (nodes: readonly LabNode[], endpoint: string): LabNode {
  const node = nodes.find((n) => endpoint.startsWith(`${n.address}:`))
  if (node === undefined) throw new Error(`no lab node has the address of ${endpoint}`)
  return node
}

/**
 * What client-proxy (the client's container for `swarm` on this machine's engine) logged at warn
 * level or above since `since` (ms): the endpoints it found unhealthy and where calls went next.
 */
export async function proxyWarnings (swarm: string, since: number): Promise<string[]> {
  const [namespace, name] = swarm.split('/')
  const r = await runDocker(['logs', '--since', new Date(since).toISOString(), `swarmgate_client_proxy_${namespace ?? ''}_${name ?? ''}`])
  return `${r.stdout}${r.stderr}`.split('\n').flatMap((line) => {
    try {
      const entry = JSON.parse(line) as { level?: number, time?: number, msg?: string, endpoint?: string, reason?: string, next?: string }
      if ((entry.level ?? 0) < 40) return []
      return [`${(entry.time ?? since) - since} ms: ${entry.msg ?? ''}${entry.endpoint === undefined ? '' : ` ${entry.endpoint}`}${entry.reason === undefined ? '' : ` (${entry.reason})`}${entry.next === undefined ? '' : `, next ${entry.next}`}`]
    } catch {
      return []
    }
  })
}
