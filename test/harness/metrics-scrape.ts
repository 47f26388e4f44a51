/**
 * Reading a server-proxy process's Prometheus metrics (server-proxy README, "Metrics"): where its
 * `--metrics-address 127.0.0.1:0` listener ended up, a scrape parsed as `registration status`
 * parses it, and the value of one series.
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
