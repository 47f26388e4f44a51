/**
 * The transport candidates between the two proxies (forwarders/transport.ts), each as two
 * processes in front of the benchmark's engine socket with TLS between them, under the same
 * GET /_ping load as the paths, with the ssh -L tunnel and the relay chain (both proxies as
 * processes) in the same rounds: how much of the gap to the tunnel is the transport (one TLS
 * connection per CLI connection, or several CLI connections as streams of one) and how much the
 * proxies' work on each call (docs/decisions.md §14). Then the quiet streams through each
 * candidate, for what a stream costs the hops' memory (held 10 s at most: the peak comes while
 * opening).
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startHelper, untilListening, type Helper } from '../setup/child.js'
import { freePort } from '../setup/ports.js'
import { measureLoad, type ApiFigure, type LoadSubject } from './api.js'
import { measureQuietStreams, type QuietFigure, type QuietTarget } from './quiet.js'
import type { BenchOptions } from '../options.js'
import type { Environment } from '../setup/environment.js'

export const TRANSPORTS = ['pair', 'h2', 'frames'] as const
/** The paths measured beside them. */
export const TRANSPORT_REFERENCES = ['tunnel', 'relay'] as const

/** How long the quiet streams are held through a candidate, at most. */
const QUIET_HOLD_MS = 10_000

export interface TransportFigures {
  readonly load: ApiFigure[]
  readonly quiet: QuietFigure[]
}

const HOP = fileURLToPath(new URL('../forwarders/transport.ts', import.meta.url))

/** Starts each candidate's two hops, measures them beside the references, stops them. */
export async function measureTransports (env: Environment, opts: BenchOptions, log: (line: string) => void): Promise<TransportFigures> {
  const helpers: Helper[] = []
  const { caPem, serverCert, serverKey } = env.daemon.tls
  /** Starts one hop; its port and pid. */
  const hop = async (kind: string, side: string, next: string): Promise<{ port: number, pid: number }> => {
    const port = await freePort()
    // The same TypeScript loader this process runs under (npm run bench sets it).
    const helper = startHelper(`transport ${kind} ${side}`, process.execPath, [...process.execArgv, HOP, kind, side, String(port), next, caPem, serverCert, serverKey],
      join(env.dir, `transport-${kind}-${side}.log`))
    helpers.push(helper)
    await untilListening(helper, port)
    return { port, pid: helper.pid }
  }
  try {
    const candidates: QuietTarget[] = []
    for (const kind of TRANSPORTS) {
      const server = await hop(kind, 'server', env.daemon.socket)
      const client = await hop(kind, 'client', String(server.port))
      candidates.push({ subject: kind, http: { origin: `http://127.0.0.1:${client.port}`, options: {} }, serverPid: server.pid, clientPid: client.pid })
    }
    const subjects: LoadSubject[] = candidates.map((c) => ({ key: c.subject, http: c.http }))
    for (const key of TRANSPORT_REFERENCES) {
      const http = env.paths.find((p) => p.key === key)?.http
      if (http !== undefined) subjects.push({ key, http })
    }
    const load = await measureLoad(subjects, opts, log, ['/_ping'])
    const quiet: QuietFigure[] = []
    for (const target of candidates) {
      log(`${opts.quietStreams} quiet streams through the ${target.subject} transport`)
      quiet.push(await measureQuietStreams(target, opts.quietStreams, Math.min(opts.quietHoldMs, QUIET_HOLD_MS), log))
    }
    return { load, quiet }
  } finally {
    for (const h of helpers) await h.stop()
  }
}
