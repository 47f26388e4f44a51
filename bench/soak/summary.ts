/**
 * What a soak run concludes from its samples: errors, each proxy's RSS after warm-up (min, max,
 * least-squares slope) and its idle file descriptors at the end against the start, each judged
 * against a stated bound. Pure, so the verdict can be tested from a table of samples.
 */

/** One reading of both proxies and of the traffic so far. */
export interface SoakSample {
  /** Seconds since the load started. */
  readonly atSeconds: number
  readonly serverRssMb: number
  readonly serverFds: number
  readonly clientRssMb: number
  readonly clientFds: number
  /** Operations completed so far (all kinds). */
  readonly operations: number
  /** Operations failed so far. */
  readonly errors: number
}

/** The first part of the run that memory is not judged on: pools, JIT and V8's heap sizing settle. */
export const WARM_UP_FRACTION = 0.2

/**
 * RSS may rise at most this fast after warm-up. A Node process's RSS moves by several MB as V8
 * collects and resizes its heap; over 8 minutes of samples every 10 s, the least-squares slope of
 * that noise stays well under 1 MB/min, while a leak of ~100 bytes per operation at the soak's
 * few hundred operations a second already climbs faster than 2 MB/min.
 */
export const RSS_SLOPE_BOUND_MB_PER_MIN = 2

/** Below this much post-warm-up time a slope says nothing: it is reported, not judged. */
export const MIN_JUDGED_MINUTES = 4

export interface MemoryFigure {
  readonly minMb: number
  readonly maxMb: number
  readonly slopeMbPerMin: number
  /** The slope as bytes retained per operation, for scale (NaN without operations). */
  readonly bytesPerOperation: number
}

export interface FdFigure {
  /** Idle count before the load started. */
  readonly start: number
  /** Idle count after the load ended and the streams closed. */
  readonly end: number
}

export interface SoakVerdict {
  readonly errors: number
  readonly operations: number
  readonly memory: { readonly server: MemoryFigure, readonly client: MemoryFigure }
  /** False when the post-warm-up window is too short for the slope to mean anything. */
  readonly memoryJudged: boolean
  readonly fds: { readonly server: FdFigure, readonly client: FdFigure }
  /** Every bound broken, as sentences; empty when the run passed. */
  readonly failures: readonly string[]
}

/** Least-squares slope of y over x; NaN with fewer than two distinct x. */
export function slope (xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return NaN
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n
  let sxy = 0
  let sxx = 0
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my)
    sxx += ((xs[i] as number) - mx) ** 2
  }
  return sxx === 0 ? NaN : sxy / sxx
}

function memory (samples: readonly SoakSample[], rss: (s: SoakSample) => number): MemoryFigure {
  const values = samples.map(rss)
  const perMin = slope(samples.map((s) => s.atSeconds / 60), values)
  const first = samples[0]
  const last = samples[samples.length - 1]
  const opsPerMin = first === undefined || last === undefined || last.atSeconds === first.atSeconds
    ? NaN
    : (last.operations - first.operations) / ((last.atSeconds - first.atSeconds) / 60)
  return {
    minMb: values.length === 0 ? NaN : Math.min(...values),
    maxMb: values.length === 0 ? NaN : Math.max(...values),
    slopeMbPerMin: perMin,
    bytesPerOperation: opsPerMin > 0 ? perMin * 2 ** 20 / opsPerMin : NaN
  }
}

/** Judges a run: the samples taken during the load, its length, and the idle fd counts. */
export function judge (samples: readonly SoakSample[], durationSeconds: number, fds: SoakVerdict['fds']): SoakVerdict {
  const warm = samples.filter((s) => s.atSeconds >= durationSeconds * WARM_UP_FRACTION)
  const last = samples[samples.length - 1]
  const errors = last?.errors ?? 0
  const mem = { server: memory(warm, (s) => s.serverRssMb), client: memory(warm, (s) => s.clientRssMb) }
  const memoryJudged = durationSeconds * (1 - WARM_UP_FRACTION) / 60 >= MIN_JUDGED_MINUTES && warm.length >= 3
  const failures: string[] = []
  if (errors > 0) failures.push(`${errors} operation(s) failed (bound: 0)`)
  for (const [name, m] of [['server-proxy', mem.server], ['client-proxy', mem.client]] as const) {
    if (memoryJudged && !(m.slopeMbPerMin <= RSS_SLOPE_BOUND_MB_PER_MIN)) {
      failures.push(`${name} RSS grew ${m.slopeMbPerMin.toFixed(2)} MB/min after warm-up (bound: ${RSS_SLOPE_BOUND_MB_PER_MIN} MB/min)`)
    }
  }
  for (const [name, f] of [['server-proxy', fds.server], ['client-proxy', fds.client]] as const) {
    // Same bound as the leaks conformance test: once idle, back to the count before the load.
    if (f.end > f.start) failures.push(`${name} holds ${f.end} fds once idle, ${f.start} before the load (bound: no more than before)`)
  }
  return { errors, operations: last?.operations ?? 0, memory: mem, memoryJudged, fds, failures }
}
