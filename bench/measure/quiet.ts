/**
 * Many quiet streams through the chain: `count` concurrent GET /events held open for `holdMs`
 * while nothing happens on the engine, as `docker events` or `logs -f` sessions left open do.
 * Reports the streams that failed to open or ended early, and the RSS and CPU of both proxies
 * (from /proc) before, while opening and while holding.
 */
import { Pool, type Dispatcher } from 'undici'
import { setTimeout as sleep } from 'node:timers/promises'
import { sampleProcess, type ProcSample } from '../proc.js'
import type { Environment } from '../setup/environment.js'

export interface ProxyUsage {
  readonly rssBeforeMb: number
  readonly rssPeakMb: number
  /** CPU seconds spent while the streams were being opened. */
  readonly openCpuSeconds: number
  /** Average CPU use while holding, percent of one core. */
  readonly holdCpuPercent: number
}

export interface QuietFigure {
  readonly streams: number
  readonly opened: number
  readonly errors: number
  readonly openSeconds: number
  readonly holdSeconds: number
  readonly serverProxy: ProxyUsage
  readonly clientProxy: ProxyUsage
}

/** Opens `count` event streams through the chain, holds them, closes them. */
export async function measureQuietStreams (env: Environment, count: number, holdMs: number, log: (line: string) => void): Promise<QuietFigure> {
  const origin = env.chain.dockerHost.replace(/^tcp:/, 'http:')
  const pool = new Pool(origin, { connections: count, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 0 })
  const pids = { server: env.chain.serverPid, client: env.chain.clientPid }
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
  const results = await Promise.allSettled(Array.from({ length: count }, async () => {
    const res = await pool.request({ path: '/events', method: 'GET' })
    if (res.statusCode !== 200) { await res.body.dump(); throw new Error(`status ${res.statusCode}`) }
    bodies.push(res.body)
    res.body.on('data', () => {})
    // A quiet stream must stay open until the benchmark closes it.
    res.body.on('end', () => { if (holding) errors++ })
    res.body.on('error', () => { if (holding) errors++ })
  }))
  const openSeconds = (performance.now() - openStarted) / 1000
  const opened = results.filter((r) => r.status === 'fulfilled').length
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
  return { streams: count, opened, errors, openSeconds, holdSeconds, serverProxy: usage('server'), clientProxy: usage('client') }
}
