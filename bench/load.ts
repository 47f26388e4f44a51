/**
 * The HTTP load generator: `connections` workers, each with its own keep-alive connection from an
 * undici Pool, send GET `path` one after the other for a fixed time and record each call's
 * latency. A warm-up first opens the connections (TCP and TLS handshakes are not what is
 * measured) and lets the JIT settle.
 */
import { Pool } from 'undici'
import { percentile } from './stats.js'
import type { HttpEndpoint } from './setup/paths.js'

export interface LoadOptions {
  readonly path: string
  readonly connections: number
  readonly durationMs: number
  readonly warmupMs: number
  /** Extra request headers (the forwarder candidates are called without any). */
  readonly headers?: Record<string, string>
}

export interface LoadResult {
  readonly calls: number
  readonly errors: number
  readonly callsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

/** Runs the load against `endpoint` and returns calls/s and latency percentiles. */
export async function runLoad (endpoint: HttpEndpoint, opts: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(endpoint.origin, { ...endpoint.options, connections: opts.connections, pipelining: 1 })
  try {
    await drive(pool, opts, opts.warmupMs, undefined)
    const latencies: number[] = []
    const started = performance.now()
    const errors = await drive(pool, opts, opts.durationMs, latencies)
    const seconds = (performance.now() - started) / 1000
    return {
      calls: latencies.length,
      errors,
      callsPerSecond: latencies.length / seconds,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99)
    }
  } finally {
    await pool.close()
  }
}

/** Keeps `connections` calls in flight for `ms`; records successful latencies; returns the failures. */
async function drive (pool: Pool, opts: LoadOptions, ms: number, latencies: number[] | undefined): Promise<number> {
  const end = performance.now() + ms
  let errors = 0
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const res = await pool.request({ path: opts.path, method: 'GET', ...(opts.headers === undefined ? {} : { headers: opts.headers }) })
        // Read the whole body: the call is over when its last byte arrived.
        for await (const _chunk of res.body) { /* discard */ }
        if (res.statusCode !== 200) { errors++; continue }
        latencies?.push(performance.now() - t0)
      } catch {
        errors++
        // A failing endpoint must not turn this loop into a busy spin.
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
  }
  await Promise.all(Array.from({ length: opts.connections }, worker))
  return errors
}
