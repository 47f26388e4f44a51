/**
 * The scrape endpoint: a plain HTTP server of its own, apart from the public TLS port, answering
 * `GET /metrics` with the text format. It has no authentication, so it is meant for an address
 * only the operator's scraper reaches (--metrics-address; README.md, "Metrics").
 */
import http from 'node:http'
import { errors } from '../errors.js'
import { TEXT_FORMAT, type MetricsRegistry } from './registry.js'

export const METRICS_PATH = '/metrics'

/** Where the scrape endpoint listens. */
export interface MetricsAddress {
  readonly host: string
  readonly port: number
}

/** Parses `HOST:PORT` (IPv6 as `[::1]:9323`; port 0 picks a free one); throws SG_ERR_METRICS_ADDRESS. */
export function parseMetricsAddress (text: string): MetricsAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s/]+)):(\d{1,5})$/.exec(text)
  const port = Number(m?.[3])
  if (m === null || port > 65535) throw errors.SG_ERR_METRICS_ADDRESS(`got "${text}"`)
  return { host: (m[1] ?? m[2]) as string, port }
}

/** A server (not listening) that serves `registry` at METRICS_PATH. */
export function metricsServer (registry: MetricsRegistry): http.Server {
  return http.createServer((req, res) => {
    const path = req.url?.split('?', 1)[0]
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: metrics are at ${METRICS_PATH}\n`)
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET and HEAD\n')
    } else {
      const text = registry.render()
      res.writeHead(200, { 'content-type': TEXT_FORMAT, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' })
      res.end(req.method === 'HEAD' ? undefined : text)
    }
  })
}
