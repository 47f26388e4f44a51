/**
 * API calls per second and latency: GET /_ping and GET /containers/json at each connection count,
 * on every path with an HTTP endpoint, interleaved by round. Each figure is the median over
 * rounds of that round's calls/s, p50 and p99.
 */
import { runLoad, type LoadResult } from '../load.js'
import { median } from '../stats.js'
import { rotated, Samples } from '../rounds.js'
import type { BenchOptions } from '../options.js'
import type { BenchPath, HttpEndpoint } from '../setup/paths.js'

export const API_ENDPOINTS = ['/_ping', '/containers/json'] as const

export interface ApiFigure {
  readonly endpoint: string
  readonly connections: number
  readonly subject: string
  readonly callsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly errors: number
  readonly rounds: readonly LoadResult[]
}

export interface LoadSubject {
  readonly key: string
  readonly http: HttpEndpoint
}

/** Measures every subject at every endpoint and connection count, `opts.rounds` times. */
export async function measureLoad (subjects: readonly LoadSubject[], opts: BenchOptions, log: (line: string) => void, endpoints: readonly string[] = API_ENDPOINTS): Promise<ApiFigure[]> {
  const samples = new Samples<LoadResult>()
  const cell = (endpoint: string, connections: number, subject: string): string => `${endpoint} ${connections} ${subject}`
  for (let round = 0; round < opts.rounds; round++) {
    for (const endpoint of endpoints) {
      for (const connections of opts.connections) {
        for (const s of rotated(subjects, round)) {
          const r = await runLoad(s.http, { path: endpoint, connections, durationMs: opts.apiMs, warmupMs: opts.apiWarmupMs })
          samples.add(cell(endpoint, connections, s.key), r)
        }
      }
      log(`  round ${round + 1}/${opts.rounds}: ${endpoint} done`)
    }
  }
  return endpoints.flatMap((endpoint) => opts.connections.flatMap((connections) => subjects.map((s) => {
    const rounds = samples.get(cell(endpoint, connections, s.key))
    return {
      endpoint,
      connections,
      subject: s.key,
      callsPerSecond: median(rounds.map((r) => r.callsPerSecond)),
      p50Ms: median(rounds.map((r) => r.p50Ms)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      errors: rounds.reduce((n, r) => n + r.errors, 0),
      rounds
    }
  })))
}

/** The paths that have an HTTP endpoint, as load subjects. */
export function httpSubjects (paths: readonly BenchPath[]): LoadSubject[] {
  return paths.flatMap((p) => p.http === undefined ? [] : [{ key: p.key, http: p.http }])
}
