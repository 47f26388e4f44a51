/**
 * Large streams through the docker CLI on every path: save and load of the big image, docker cp
 * of the big file into container C and of /big out of it, a build with the big file as context (MB/s, 10^6 bytes per second, from the
 * CLI's start to its exit). Output is counted, not written to disk, so the figure is the path's,
 * not the disk's; load and cp in read files the page cache holds after the first round.
 */
import { timedDocker } from '../command.js'
import { median } from '../stats.js'
import { rotated, Samples } from '../rounds.js'
import type { BenchOptions } from '../options.js'
import type { BenchPath } from '../setup/paths.js'
import { BIG_IMAGE, CONTAINER, type Environment } from '../setup/environment.js'

export const STREAM_OPS = ['save', 'load', 'cp in', 'build', 'cp out'] as const
export type StreamOp = typeof STREAM_OPS[number]

export interface StreamFigure {
  readonly op: StreamOp
  readonly subject: string
  readonly mbPerSecond: number
  readonly bytes: number
  readonly rounds: readonly number[]
}

const TIMEOUT_MS = 10 * 60_000

async function once (env: Environment, path: BenchPath, op: StreamOp): Promise<{ bytes: number, ms: number }> {
  const run = async (args: string[], expectOut: boolean, stdinFile?: string): Promise<{ bytes: number, ms: number }> => {
    const r = await timedDocker(path, args, { timeoutMs: TIMEOUT_MS, ...(stdinFile === undefined ? {} : { stdinFile }) })
    return { bytes: expectOut ? r.stdoutBytes : 0, ms: r.ms }
  }
  switch (op) {
    case 'save': return await run(['save', BIG_IMAGE], true)
    case 'load': return { ...await run(['load', '-q', '-i', env.files.imageTar], false), bytes: env.imageBytes }
    case 'cp in': return { ...await run(['cp', env.files.big, `${CONTAINER}:/big-in`], false), bytes: env.bigBytes }
    // The big image's own context again (classic builder: the context is one upload); its layer
    // is cached, so the engine only reads the context and hashes the file.
    case 'build': return { ...await run(['build', '-q', '-t', BIG_IMAGE, env.files.context], false), bytes: env.bigBytes }
    case 'cp out': return await run(['cp', `${CONTAINER}:/big`, '-'], true)
  }
}

/** Measures each operation on each path, `opts.streamRounds` times, interleaved. */
export async function measureStreams (env: Environment, opts: BenchOptions, log: (line: string) => void): Promise<StreamFigure[]> {
  const rates = new Samples<number>()
  const sizes = new Map<string, number>()
  for (let round = 0; round < opts.streamRounds; round++) {
    for (const op of STREAM_OPS) {
      for (const path of rotated(env.paths, round)) {
        const { bytes, ms } = await once(env, path, op)
        rates.add(`${op} ${path.key}`, bytes / 1e6 / (ms / 1000))
        sizes.set(op, bytes)
      }
      log(`  round ${round + 1}/${opts.streamRounds}: ${op} done`)
    }
  }
  return STREAM_OPS.flatMap((op) => env.paths.map((p) => {
    const rounds = rates.get(`${op} ${p.key}`)
    return { op, subject: p.key, mbPerSecond: median(rounds), bytes: sizes.get(op) ?? 0, rounds }
  }))
}
