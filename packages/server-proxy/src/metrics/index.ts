/**
 * server-proxy's Prometheus metrics (README.md, "Metrics"): what is counted (server-metrics.ts),
 * the metric types and the text format (registry.ts), the scrape endpoint (metrics-server.ts) and
 * the token endpoint's hook (token-answers.ts).
 */
export { ServerMetrics, type AuditLine } from './server-metrics.js'
export { MetricsRegistry, Counter, Gauge, Histogram, TEXT_FORMAT } from './registry.js'
export { METRICS_PATH, metricsServer, parseMetricsAddress, type MetricsAddress } from './metrics-server.js'
export { countTokenAnswers } from './token-answers.js'
