/**
 * `npm run bench [-- --quick] [-- --profile] [-- --deployed]`: the benchmark of issues 5 and 14.
 * It starts its own dockerd (the shared engine on /var/run/docker.sock is never touched), reaches
 * it five ways (socket, dockerd's mTLS, an ssh -L tunnel, docker -H ssh://, the swarmgate chain as
 * processes); with --deployed (scripts/bench.sh says where) it uses the isolated engine instead
 * and adds the chain as users run it (bench/setup/deployed.ts) three ways; it measures
 * them interleaved and repeated, prints markdown tables with the targets as ratios, and writes
 * bench/results/bench-<time>.json and .md. Timings are reported, never asserted.
 *
 * Runs under the tests' TypeScript loader (package.json "bench"); the proxies run from their
 * compiled dist/, built first. With --profile both proxies write CPU profiles (node --cpu-prof)
 * to bench/results/profiles-<time>/ when they stop.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseOptions } from './options.js'
import { setUpEnvironment, type Environment } from './setup/environment.js'
import { measureLoad, httpSubjects } from './measure/api.js'
import { measureForwarders } from './measure/forwarders.js'
import { measureTransports } from './measure/transports.js'
import { measureCli } from './measure/cli.js'
import { measureStreams } from './measure/streams.js'
import { measureQuietStreams, quietTargets, type QuietFigure } from './measure/quiet.js'
import { measureTokens } from './measure/tokens.js'
import { measurePolicy } from './measure/policy.js'
import { renderReport, targets, type Results } from './report.js'
import { runChecked } from '../test/testbed/process.js'

const RESULTS = fileURLToPath(new URL('results/', import.meta.url))

function log (line: string): void {
  process.stderr.write(`bench: ${line}\n`)
}

async function version (command: string, args: readonly string[]): Promise<string> {
  const out = await runChecked(command, args, { timeoutMs: 10_000 }).catch((err: Error) => err.message)
  return out.trim().split('\n')[0] ?? ''
}

async function machine (): Promise<Record<string, unknown>> {
  return {
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    dockerCli: await version('docker', ['version', '--format', '{{.Client.Version}}']),
    dockerd: await version('dockerd', ['--version']),
    openssh: await version('bash', ['-c', 'ssh -V 2>&1']),
    openssl: await version('openssl', ['version']),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2)))
  }
}

async function main (): Promise<number> {
  const opts = parseOptions(process.argv.slice(2))
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  await mkdir(RESULTS, { recursive: true })
  const profileDir = join(RESULTS, `profiles-${stamp}`)
  const started = Date.now()
  const about = await machine()
  log(`${opts.quick ? 'quick smoke run' : 'full run'} on ${String(about.cpu)}`)

  const env: Environment = await setUpEnvironment({
    bigBytes: opts.bigBytes,
    proxyNodeArgs: opts.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    deployed: opts.deployed,
    log
  })
  // Ctrl-C must still stop the benchmark's dockerd, sshd and proxies.
  const interrupted = (): void => { log('interrupted; tearing down'); void env.close().finally(() => process.exit(130)) }
  process.once('SIGINT', interrupted)
  let results: Results
  try {
    log('API calls')
    const api = await measureLoad(httpSubjects(env.paths), opts, log)
    log('forwarding candidates')
    const forwarders = await measureForwarders(env, opts, log)
    log('transports between the hops')
    const transports = await measureTransports(env, opts, log)
    log('CLI commands')
    const cli = await measureCli(env, opts, log)
    log('large streams')
    const streams = await measureStreams(env, opts, log)
    const quiet: QuietFigure[] = []
    for (const target of quietTargets(env)) {
      log(`${opts.quietStreams} quiet streams through ${target.subject}`)
      quiet.push(await measureQuietStreams(target, opts.quietStreams, opts.quietHoldMs, log))
    }
    results = { api, forwarders, transports, cli, streams, quiet, tokens: undefined, policy: undefined }
  } finally {
    process.off('SIGINT', interrupted)
    log('tearing down')
    await env.close()
  }
  log('token checks')
  results = { ...results, tokens: await measureTokens(opts.tokenIterations) }
  log('authorization decisions')
  results = { ...results, policy: measurePolicy(opts.tokenIterations * 10) }

  const about2 = { ...about, loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))) }
  const minutes = (Date.now() - started) / 60_000
  const header = `## ${opts.quick ? 'Quick smoke run (figures too short to quote)' : 'Benchmark'} ${new Date(started).toISOString()}, ${minutes.toFixed(1)} min\n\n` +
    `Machine: ${String(about.cpu)}, ${String(about.memoryGb)} GB, Linux ${String(about.kernel)}, Node ${process.version}, docker CLI ${String(about.dockerCli)}, ${String(about.dockerd)}, ${String(about.openssh)}. ` +
    `Load average at start ${JSON.stringify(about.loadAverageAtStart)}, at end ${JSON.stringify(about2.loadAverageAtEnd)}.`
  const report = renderReport(results, header)
  process.stdout.write(report)
  const base = join(RESULTS, `bench-${stamp}`)
  await writeFile(`${base}.json`, JSON.stringify({ machine: about2, options: opts, minutes, results, targets: targets(results) }, null, 2))
  await writeFile(`${base}.md`, report)
  log(`wrote ${base}.json and .md${opts.profile ? `; profiles in ${profileDir}` : ''}`)
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`bench: failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
