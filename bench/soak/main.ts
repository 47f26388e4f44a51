/**
 * `npm run soak [-- --minutes N]` (issue 11): N minutes (default 10) of mixed calls, streams and
 * hijacked sessions through the swarmgate chain at load (bench/soak/workload.ts), on the
 * benchmark's own dockerd and chain (bench/setup/environment.ts, so the shared engine is never
 * touched), sampling both proxies' RSS and open files. Prints the samples as they come, then a
 * summary, and writes bench/results/soak-<time>.json and .md. It reports and never asserts
 * timings; it exits 1 when an operation failed, when a proxy's RSS grew faster than the bound
 * after warm-up, or when a proxy holds more descriptors once idle than before the load.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setUpEnvironment } from '../setup/environment.js'
import { docker } from '../../test/testbed/docker.js'
import { fdsBackTo, idleFds } from '../../test/harness/fds.js'
import { API_RATE, runWorkload, startTicker } from './workload.js'
import { startSampler } from './sampler.js'
import { createTally } from './tally.js'
import { judge } from './summary.js'
import { renderSoakReport, sampleRow, SAMPLE_HEADER } from './report.js'

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url))
/** The file copied in and the one layer of the image loaded: small, the soak is about many operations, not big ones. */
const UPLOAD_BYTES = 2 * 2 ** 20
const MAX_MINUTES = 120

function log (line: string): void {
  process.stderr.write(`soak: ${line}\n`)
}

/** Parses --minutes N (default 10). */
function parseMinutes (argv: readonly string[]): number {
  if (argv.length === 0) return 10
  const minutes = Number(argv[1])
  if (argv.length !== 2 || argv[0] !== '--minutes' || !(minutes > 0 && minutes <= MAX_MINUTES)) {
    throw new Error(`usage: npm run soak [-- --minutes N] with 0 < N <= ${MAX_MINUTES}; got ${argv.join(' ')}`)
  }
  return minutes
}

async function main (): Promise<number> {
  const minutes = parseMinutes(process.argv.slice(2))
  const durationMs = minutes * 60_000
  // About 60 samples in a full run; at least one every 2 s in a short one.
  const intervalMs = Math.min(10_000, Math.max(2_000, durationMs / 60))
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const loadAtStart = loadavg()
  log(`${minutes} min on ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`)

  const env = await setUpEnvironment({ bigBytes: UPLOAD_BYTES, log })
  const interrupted = (): void => { log('interrupted; tearing down'); void env.close().finally(() => process.exit(130)) }
  process.once('SIGINT', interrupted)
  try {
    await startTicker(env)
    // Every path used once, then the idle baseline, once pooled connections have closed.
    await docker(['ps'], { host: env.chain.dockerHost, timeoutMs: 60_000 })
    const client = env.chain.client as NonNullable<typeof env.chain.client>
    const start = { server: await idleFds(env.chain.server), client: await idleFds(client) }
    log(`idle fds before the load: server-proxy ${start.server}, client-proxy ${start.client}; load for ${minutes} min, a sample every ${intervalMs / 1000} s`)

    const tally = createTally()
    process.stderr.write(`${SAMPLE_HEADER}\n`)
    const sampler = startSampler(env.chain, tally, intervalMs, (s) => { process.stderr.write(`${sampleRow(s)}\n`) })
    const began = Date.now()
    await runWorkload({ env, tally, deadline: began + durationMs, maxPerWorker: Math.ceil(minutes * 60 * 100) })
    const samples = await sampler.stop()
    const ranSeconds = (Date.now() - began) / 1000
    log(`load over after ${ranSeconds.toFixed(0)} s; waiting for both proxies to be idle`)
    const end = { server: await fdsBackTo(env.chain.server, start.server, 30_000), client: await fdsBackTo(client, start.client, 30_000) }

    const verdict = judge(samples, durationMs / 1000, { server: { start: start.server, end: end.server }, client: { start: start.client, end: end.client } })
    const loadAtEnd = loadavg()
    const header = `## Soak ${new Date(began).toISOString()}, ${minutes} min${minutes < 5 ? ' (smoke run: too short to quote)' : ''}\n\n` +
      `Machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}, Linux ${release()}, Node ${process.version}; ` +
      `load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}. ` +
      `API calls paced at ${API_RATE}/s; the chain logs in as an operator.`
    const report = { header, verdict, byKind: tally.byKind(), messages: tally.messages(), samples }
    const markdown = renderSoakReport(report)
    process.stdout.write(markdown)
    await mkdir(RESULTS, { recursive: true })
    const base = join(RESULTS, `soak-${stamp}`)
    await writeFile(`${base}.json`, JSON.stringify({ minutes, ranSeconds, intervalMs, loadAtStart, loadAtEnd, ...report }, null, 2))
    await writeFile(`${base}.md`, markdown)
    log(`wrote ${base}.json and .md`)
    log(verdict.failures.length === 0 ? 'PASS: 0 errors, memory and fds within their bounds' : `FAIL (exit status 1): ${verdict.failures.join('; ')}`)
    return verdict.failures.length === 0 ? 0 : 1
  } finally {
    process.off('SIGINT', interrupted)
    log('tearing down')
    await env.close()
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`soak: failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
