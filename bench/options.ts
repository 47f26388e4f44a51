/**
 * How much the benchmark measures. The default run takes about 10 to 15 minutes on a 2-core
 * machine; --quick is a smoke run of about 2 minutes whose figures are too short (and its big
 * file too small) to quote.
 */
export interface BenchOptions {
  readonly quick: boolean
  /** Start both proxies with --cpu-prof; the profiles go next to the results. */
  readonly profile: boolean
  /**
   * Measure the deployed chain too (server-proxy as the service, client-proxy as the client's
   * container), on the isolated engine the run was started in instead of a dockerd of its own.
   */
  readonly deployed: boolean
  /** Interleaved rounds of the API load, the forwarder candidates and the CLI timings. */
  readonly rounds: number
  /** Rounds of the large streams (each moves about 1 GB per path). */
  readonly streamRounds: number
  readonly apiMs: number
  readonly apiWarmupMs: number
  readonly connections: readonly number[]
  /** Repetitions per path and round of docker ps, docker exec C true, docker run --rm. */
  readonly reps: { readonly ps: number, readonly exec: number, readonly run: number }
  /** Size of the big file (and so of the image saved and loaded). */
  readonly bigBytes: number
  readonly quietStreams: number
  readonly quietHoldMs: number
  readonly tokenIterations: number
}

const MiB = 1024 * 1024

export const DEFAULT_OPTIONS: BenchOptions = {
  quick: false,
  profile: false,
  deployed: false,
  rounds: 3,
  streamRounds: 2,
  apiMs: 2_000,
  apiWarmupMs: 300,
  connections: [1, 16, 64],
  reps: { ps: 5, exec: 5, run: 3 },
  bigBytes: 256 * MiB,
  quietStreams: 1_000,
  quietHoldMs: 60_000,
  tokenIterations: 5_000
}

export const QUICK_OPTIONS: BenchOptions = {
  ...DEFAULT_OPTIONS,
  quick: true,
  rounds: 1,
  streamRounds: 1,
  apiMs: 400,
  apiWarmupMs: 100,
  reps: { ps: 2, exec: 2, run: 1 },
  bigBytes: 64 * MiB,
  quietHoldMs: 10_000,
  tokenIterations: 1_000
}

const FLAGS = ['--quick', '--profile', '--deployed']

/** Parses the command line: --quick, --profile, --deployed. */
export function parseOptions (argv: readonly string[]): BenchOptions {
  const unknown = argv.filter((a) => !FLAGS.includes(a))
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}; use ${FLAGS.join(', ')}`)
  return { ...(argv.includes('--quick') ? QUICK_OPTIONS : DEFAULT_OPTIONS), profile: argv.includes('--profile'), deployed: argv.includes('--deployed') }
}
