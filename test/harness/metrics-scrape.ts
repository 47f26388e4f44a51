/**
 * Reading a server-proxy process's Prometheus metrics (server-proxy README, "Metrics"): where its
 * `--metrics-address 127.0.0.1:0` listener ended up, a scrape parsed as `registration status`
 * parses it, the value of one series, and the audit lines that should match the counts.
 */
import { request } from 'undici'
import { waitFor } from '../testbed/index.js'
import type { ProxyProcess } from './proxy-process.js'
import { parseMetricsText, type MetricSample } from '../../packages/registration/src/proxy-figures.js'

/** The scrape URL of `proxy`, read from its "metrics served" log line once it has written it. */
export async function metricsUrlOf (proxy: ProxyProcess): Promise<string> {
  const port = await waitFor('the metrics listener', async () => {
    const line = proxy.records().find((r) => r.msg === 'metrics served at /metrics')
    return (line?.address as { port?: number } | undefined)?.port
  }, { timeoutMs: 10_000, intervalMs: 50 })
  return `http://127.0.0.1:${port}/metrics`
}

/** Every sample the metrics at `url` give now. */
export async function scrapeMetrics (url: string): Promise<MetricSample[]> {
  const res = await request(url)
  if (res.statusCode !== 200) throw new Error(`metrics answered ${res.statusCode}`)
  return parseMetricsText(await res.body.text())
}

/** The value of the series `name` with exactly `labels`, 0 when it does not exist yet. */
export function metricValue (samples: readonly MetricSample[], name: string, labels: Record<string, string> = {}): number {
  const hit = samples.find((s) => s.name === name && Object.keys(labels).length === Object.keys(s.labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  return hit?.value ?? 0
}

/**
 * `proxy`'s audit lines, a hijacked session's start line aside (one per call counted), once it has
 * written at least `counted` of them or 10 s passed: a process writes the line as it counts the
 * call, but its stdout reaches the test later than the call's answer does.
 */
export async function auditLinesAfter (proxy: ProxyProcess, counted: number): Promise<number> {
  const lines = (): number => proxy.records().filter((r) => r.msg === 'audit' && r.event !== 'hijack-start').length
  await waitFor('the audit lines', async () => lines() >= counted ? true : undefined, { timeoutMs: 10_000, intervalMs: 25 }).catch(() => {})
  return lines()
}
