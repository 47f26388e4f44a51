/**
 * The ways to reach the benchmark's engine that are compared (five, eight with --deployed), each as what the docker CLI
 * needs (DOCKER_HOST and environment) and, where there is one, the HTTP endpoint the load
 * generator calls. The ssh:// path has none: the CLI speaks HTTP over `ssh ... docker system
 * dial-stdio`'s stdin and stdout, a fresh SSH session per command.
 */
import { readFile } from 'node:fs/promises'
import type { Pool } from 'undici'
import type { Chain } from '../../test/harness/chain.js'
import type { BenchDaemon } from './dockerd.js'
import type { SshPaths } from './ssh.js'
import type { DeployedChain } from './deployed.js'

export const PATH_KEYS = ['socket', 'mtls', 'tunnel', 'ssh', 'chain', 'relay', 'deployed', 'deployed-host', 'deployed-unix'] as const
export type PathKey = typeof PATH_KEYS[number]

export const PATH_LABELS: Record<PathKey, string> = {
  socket: 'engine socket',
  mtls: 'dockerd mTLS',
  tunnel: 'ssh -L tunnel',
  ssh: 'docker -H ssh://',
  chain: 'processes, careful (--relay=off)',
  relay: 'processes (relay, the default)',
  deployed: 'deployed, published port',
  'deployed-host': 'deployed, host network (the client\'s default)',
  'deployed-unix': 'deployed, unix socket'
}

/** The swarmgate paths whose figures are held against the targets: the one users get by default last. */
export const CHAIN_KEYS: readonly PathKey[] = ['chain', 'relay', 'deployed', 'deployed-host']

/**
 * The path the client sets up by default where the bench runs (a Linux engine on this machine:
 * client-proxy on the host network, packages/client/src/network-choice.ts), held against issue
 * 14's fallback too.
 */
export const DEFAULT_PATH: PathKey = 'deployed-host'

export interface HttpEndpoint {
  readonly origin: string
  readonly options: Pool.Options
}

export interface BenchPath {
  readonly key: PathKey
  readonly label: string
  /** DOCKER_HOST for the CLI. */
  readonly host: string
  /** Further environment for the CLI (TLS files, PATH with the ssh wrapper). */
  readonly env: Record<string, string>
  readonly http: HttpEndpoint | undefined
}

/** Builds the paths from what setup started (the deployed ones when it was deployed). */
export async function benchPaths (daemon: BenchDaemon, ssh: SshPaths, chain: Chain, relay: Chain, deployed: DeployedChain | undefined): Promise<BenchPath[]> {
  const [ca, cert, key] = await Promise.all(['ca.pem', 'cert.pem', 'key.pem'].map(async (f) => await readFile(`${daemon.tls.clientDir}/${f}`, 'utf8')))
  const tcp = (port: number): HttpEndpoint => ({ origin: `http://127.0.0.1:${port}`, options: {} })
  const unix = (host: string): HttpEndpoint => ({ origin: 'http://docker', options: { socketPath: host.replace(/^unix:\/\//, '') } })
  const http = (host: string): HttpEndpoint => ({ origin: host.replace(/^tcp:/, 'http:'), options: {} })
  const paths: Partial<Record<PathKey, Omit<BenchPath, 'key' | 'label'>>> = {
    socket: { host: `unix://${daemon.socket}`, env: {}, http: { origin: 'http://docker', options: { socketPath: daemon.socket } } },
    mtls: {
      host: `tcp://127.0.0.1:${daemon.tlsPort}`,
      env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: daemon.tls.clientDir },
      http: { origin: `https://127.0.0.1:${daemon.tlsPort}`, options: { connect: { ca, cert, key } } }
    },
    tunnel: { host: `tcp://127.0.0.1:${ssh.tunnelPort}`, env: {}, http: tcp(ssh.tunnelPort) },
    ssh: { host: ssh.sshHost, env: ssh.sshEnv, http: undefined },
    chain: { host: chain.dockerHost, env: {}, http: http(chain.dockerHost) },
    relay: { host: relay.dockerHost, env: {}, http: http(relay.dockerHost) },
    ...(deployed === undefined
      ? {}
      : {
          deployed: { host: deployed.publishedHost, env: {}, http: http(deployed.publishedHost) },
          'deployed-host': { host: deployed.hostNetworkHost, env: {}, http: http(deployed.hostNetworkHost) },
          'deployed-unix': { host: deployed.socketHost, env: {}, http: unix(deployed.socketHost) }
        })
  }
  return PATH_KEYS.flatMap((k) => {
    const p = paths[k]
    return p === undefined ? [] : [{ key: k, label: PATH_LABELS[k], ...p }]
  })
}
