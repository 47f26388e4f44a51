/**
 * Wall time of docker CLI commands on every path, from spawn to exit, medians over repetitions
 * and rounds: `docker ps`, `docker exec C true`, `docker run --rm IMG true` (hijacked attach plus
 * create, start, wait and remove), and a 64 MB stdin-to-stdout echo through `docker exec -i C cat`
 * (MB/s, checked to return every byte).
 */
import { timedDocker } from '../command.js'
import { median } from '../stats.js'
import { rotated, Samples } from '../rounds.js'
import type { BenchOptions } from '../options.js'
import type { BenchPath } from '../setup/paths.js'
import { CONTAINER, ECHO_BYTES, type Environment } from '../setup/environment.js'
import { BUSYBOX_IMAGE } from '../../test/testbed/busybox.js'

export const CLI_OPS = ['ps', 'exec', 'run', 'echo'] as const
export type CliOp = typeof CLI_OPS[number]

export interface CliFigure {
  readonly op: CliOp
  readonly subject: string
  /** Median wall time, ms. */
  readonly ms: number
  /** For the echo: MB/s over the median time. */
  readonly mbPerSecond?: number
  readonly samples: readonly number[]
}

const ARGS: Record<CliOp, readonly string[]> = {
  ps: ['ps'],
  exec: ['exec', CONTAINER, 'true'],
  run: ['run', '--rm', '--network', 'none', BUSYBOX_IMAGE, 'true'],
  echo: ['exec', '-i', CONTAINER, 'cat']
}

async function timeOnce (env: Environment, path: BenchPath, op: CliOp): Promise<number> {
  const args = ARGS[op]
  const r = await timedDocker(path, args, { timeoutMs: 120_000, ...(op === 'echo' ? { stdinFile: env.files.echo } : {}) })
  if (op === 'echo' && r.stdoutBytes !== ECHO_BYTES) throw new Error(`the echo on ${path.label} returned ${r.stdoutBytes} of ${ECHO_BYTES} bytes`)
  return r.ms
}

/** Measures every command on every path; repetitions per round from `opts.reps` (the echo once). */
export async function measureCli (env: Environment, opts: BenchOptions, log: (line: string) => void): Promise<CliFigure[]> {
  const times = new Samples<number>()
  const reps: Record<CliOp, number> = { ...opts.reps, echo: 1 }
  for (let round = 0; round < opts.rounds; round++) {
    for (const op of CLI_OPS) {
      for (const path of rotated(env.paths, round)) {
        for (let i = 0; i < reps[op]; i++) times.add(`${op} ${path.key}`, await timeOnce(env, path, op))
      }
    }
    log(`  round ${round + 1}/${opts.rounds} done`)
  }
  return CLI_OPS.flatMap((op) => env.paths.map((p) => {
    const samples = times.get(`${op} ${p.key}`)
    const ms = median(samples)
    return { op, subject: p.key, ms, ...(op === 'echo' ? { mbPerSecond: ECHO_BYTES / 1e6 / (ms / 1000) } : {}), samples }
  }))
}
