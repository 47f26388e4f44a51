/**
 * The statistics the benchmark reports. Every figure is a median over rounds (the paths are
 * measured interleaved, so one noisy moment on this shared 2-core machine lands in one round of
 * every path instead of in every round of one path); latency percentiles are taken over all
 * samples of one round first.
 */

/** The value below which a fraction `p` (0..1) of `values` lies, nearest-rank; NaN when empty. */
export function percentile (values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  // Nearest rank: the smallest value with at least p of the samples at or below it.
  const rank = Math.ceil(p * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number
}

/** The median: the middle value, or the mean of the two middle values; NaN when empty. */
export function median (values: readonly number[]): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** `a / b`, or NaN when either is missing or b is 0. */
export function ratio (a: number, b: number): number {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : NaN
}
