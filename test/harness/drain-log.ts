/**
 * server-proxy's drain on stop (packages/server-proxy/src/drain/) as a server-proxy process logs
 * it: the line when it begins (`draining: ...`, what was open) and when it ends (`drained: ...`,
 * its outcome: announced answers, what was cut).
 */
import type { ProxyProcess } from './proxy-process.js'

/** The first of `server`'s log lines whose message matches `msg` (/^draining/, /^drained/). */
export function drainLine (server: ProxyProcess, msg: RegExp): Record<string, unknown> | undefined {
  return server.records().find((r) => typeof r.msg === 'string' && msg.test(r.msg))
}
