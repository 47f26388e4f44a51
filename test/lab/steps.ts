/**
 * The journey's steps (test/e2e/journey-steps.ts) as the lab's tests take them: registration run
 * on a lab node, and the client run on this machine, on its network, since the lab's nodes are
 * reachable from this machine and not from the engine's default bridge.
 */
import type { RunResult } from '../testbed/index.js'
import { nodeHost, type LabNode } from '../testbed/lab/index.js'
import { client, registration } from '../e2e/journey-steps.js'

/** Registration of `swarm` for alice with `password`, run on `node`'s engine with its socket. */
export async function registerOn (node: LabNode, swarm: string, password: string): Promise<RunResult> {
  return await registration(['--username', 'alice', '--password-stdin', '--name', swarm], { host: nodeHost(node), input: `${password}\n` })
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
