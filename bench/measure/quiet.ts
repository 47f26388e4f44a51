/**
 * Many quiet streams through a chain (the process one, and the deployed one with --deployed): `count` concurrent GET /events held open for `holdMs`
 * while nothing happens on the engine, as `docker events` or `logs -f` sessions left open do.
 * Reports the streams that failed to open or ended early, and the RSS and CPU of both proxies
 * (from /proc) before, while opening and while holding.
 */
import { Pool, type Dispatcher } from 'undici'
import { setTimeout as sleep } from 'node:timers/promises'
import { sampleProcess, type ProcSample } from '../proc.js'
import type { Environment } from '../setup/environment.js'
import type { HttpEndpoint } from '../setup/paths.js'

export interface ProxyUsage {
  readonly rssBeforeMb: number
  readonly rssPeakMb: number
  /** CPU seconds spent while the streams were being opened. */
  readonly openCpuSeconds: number
  /** Average CPU use while holding, percent of one core. */
  readonly holdCpuPercent: number
}

export interface QuietFigure {
  /** The path measured (bench/setup/paths.ts). */
  readonly subject: string
  readonly streams: number
  readonly opened: number
  readonly errors: number
  /** The distinct messages of the failures, with how many times each came. */
  readonly errorMessages: Readonly<Record<string, number>>
  readonly openSeconds: number
  readonly holdSeconds: number
  readonly serverProxy: ProxyUsage
  readonly clientProxy: ProxyUsage
}

/** How many streams are opened at once. */
const OPEN_WAVE = 32

/** A chain to hold the streams through: its path's HTTP endpoint and its proxies' pids. */
export interface QuietTarget {
  readonly subject: string
  readonly http: HttpEndpoint
  readonly serverPid: number
  readonly clientPid: number
}

/** The process chains (careful and --relay) and, with --deployed, the deployed one as the client starts it. */
export function quietTargets (env: Environment): QuietTarget[] {
  const of = (key: string): HttpEndpoint | undefined => env.paths.find((p) => p.key === key)?.http
  const out: QuietTarget[] = []
  const chain = of('chain')
  if (chain !== undefined) out.push({ subject: 'chain', http: chain, serverPid: env.chain.serverPid, clientPid: env.chain.clientPid })
  const relay = of('relay')
  if (relay !== undefined) out.push({ subject: 'relay', http: relay, serverPid: env.relayChain.serverPid, clientPid: env.relayChain.clientPid })
  const deployed = of('deployed')
  if (deployed !== undefined && env.deployed !== undefined) out.push({ subject: 'deployed', http: deployed, serverPid: env.deployed.serverPid, clientPid: env.deployed.clientPid })
  return out
}

/** Opens `count` event streams through a chain, holds them, closes them. */
export async function measureQuietStreams (target: QuietTarget, count: number, holdMs: number, log: (line: string) => void): Promise<QuietFigure> {
  const pool = new Pool(target.http.origin, { ...target.http.options, connections: count, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0 })
  const pids = { server: target.serverPid, client: target.clientPid }
  const peak = { server: 0, client: 0 }
  const sample = async (): Promise<{ server: ProcSample, client: ProcSample }> => {
    const s = { server: await sampleProcess(pids.server), client: await sampleProcess(pids.client) }
    peak.server = Math.max(peak.server, s.server.rssMb)
    peak.client = Math.max(peak.client, s.client.rssMb)
    return s
  }
  const before = await sample()
  let errors = 0
  let holding = true
  const bodies: Dispatcher.ResponseData['body'][] = []
  const openStarted = performance.now()
  const open = async (): Promise<void> => {
    const res = await pool.request({ path: '/events', method: 'GET' })
    if (res.statusCode !== 200) { await res.body.dump(); throw new Error(`status ${res.statusCode}`) }
    bodies.push(res.body)
    res.body.on('data', () => {})
    // A quiet stream must stay open until the benchmark closes it.
    res.body.on('end', () => { if (holding) errors++ })
    res.body.on('error', () => { if (holding) errors++ })
  }
  // In waves: server-proxy closes connections of one source beyond its cap of unauthenticated
  // ones at once (--unauthenticated-per-source, 64), and a new connection is unauthenticated
  // until its first call's answer has started.
  const results: Array<PromiseSettledResult<void>> = []
  for (let i = 0; i < count; i += OPEN_WAVE) {
    results.push(...await Promise.allSettled(Array.from({ length: Math.min(OPEN_WAVE, count - i) }, open)))
  }
  const openSeconds = (performance.now() - openStarted) / 1000
  const opened = results.filter((r) => r.status === 'fulfilled').length
  const errorMessages: Record<string, number> = {}
  for (const r of results) {
    if (r.status === 'rejected') {
      const message = String((r.reason as Error).message)
      errorMessages[message] = (errorMessages[message] ?? 0) + 1
    }
  }
  errors += count - opened
  const afterOpen = await sample()
  log(`  ${opened}/${count} streams open in ${openSeconds.toFixed(1)} s; holding ${holdMs / 1000} s`)
  const holdStarted = performance.now()
  while (performance.now() - holdStarted < holdMs) {
    await sleep(Math.min(1_000, holdMs - (performance.now() - holdStarted)))
    await sample()
  }
  const afterHold = await sample()
  const holdSeconds = (performance.now() - holdStarted) / 1000
  holding = false
  for (const b of bodies) b.destroy()
  await pool.destroy()
  const usage = (k: 'server' | 'client'): ProxyUsage => ({
    rssBeforeMb: before[k].rssMb,
    rssPeakMb: peak[k],
    openCpuSeconds: afterOpen[k].cpuSeconds - before[k].cpuSeconds,
    holdCpuPercent: 100 * (afterHold[k].cpuSeconds - afterOpen[k].cpuSeconds) / holdSeconds
  })
  return { subject: target.subject, streams: count, opened, errors, errorMessages, openSeconds, holdSeconds, serverProxy: usage('server'), clientProxy: usage('client') }
}
