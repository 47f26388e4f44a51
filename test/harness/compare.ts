/**
 * The conformance check itself: a docker command through the chain prints the same and exits the
 * same as on the engine socket directly. Output that differs by nature between two runs (ids of
 * objects each run created, times, sizes) is normalised by the caller before comparing.
 */
import type { DockerOptions } from '../testbed/docker.js'
import type { RunResult } from '../testbed/process.js'
import { bothWays, type Chain } from './chain.js'

/** The part of tap's Test these helpers use. */
export interface Asserts {
  equal: (found: unknown, wanted: unknown, message: string) => boolean
}

export interface SameOptions extends DockerOptions {
  /** Applied to stdout and stderr of both runs before comparing; default identity. */
  readonly normalise?: (text: string) => string
  /** Compare standard error too; default true. */
  readonly stderr?: boolean
}

/** Asserts that `docker args` prints and exits the same through the chain and on the socket. */
export async function expectSameAsSocket (t: Asserts, chain: Chain, args: readonly string[], opts: SameOptions = {}): Promise<{ chain: RunResult, socket: RunResult }> {
  const { normalise = (s: string) => s, stderr = true, ...dockerOpts } = opts
  const r = await bothWays(chain, args, dockerOpts)
  const what = `docker ${args.join(' ')}`
  t.equal(r.chain.timedOut, false, `${what} finished in time through the chain`)
  t.equal(r.chain.code, r.socket.code, `${what}: same exit status (${String(r.socket.code)})`)
  t.equal(normalise(r.chain.stdout), normalise(r.socket.stdout), `${what}: same standard output`)
  if (stderr) t.equal(normalise(r.chain.stderr), normalise(r.socket.stderr), `${what}: same standard error`)
  return r
}

/** Replaces 64- and 12-hex-digit ids with placeholders. */
export function maskIds (text: string): string {
  return text.replace(/\b[0-9a-f]{64}\b/g, '<id64>').replace(/\b[0-9a-f]{12}\b/g, '<id12>')
}
