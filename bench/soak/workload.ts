/**
 * The soak's traffic: concurrent workers, each repeating one kind of operation through the
 * chain until the deadline (and never more than a fixed number of times), every operation
 * checking its result, not just its status:
 *
 * - api: GET /_ping, /containers/json and /info from several keep-alive connections, paced;
 * - lifecycle: docker create, start, wait (exit 0), logs (its output), rm;
 * - exec: docker exec -i (hijacked) with stdin echoed back byte for byte by cat;
 * - logs -f and events: streams held open for a while, then closed with Ctrl-C (SIGINT);
 * - attach: docker attach (hijacked) to a container reading lines, answered line by line;
 * - uploads: docker cp in (checksum checked inside) and docker load of a small image.
 */
import { createHash, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { Pool } from 'undici'
import { BUSYBOX_IMAGE } from '../../test/testbed/busybox.js'
import { docker, dockerEnv } from '../../test/testbed/docker.js'
import { run } from '../../test/testbed/process.js'
import { spawnDocker, type DockerProcess } from '../../test/harness/docker-process.js'
import { BIG_IMAGE, CONTAINER, type Environment } from '../setup/environment.js'
import type { Tally } from './tally.js'

/** API calls per second over all API connections: load the chain without starving the CLI workers on a shared 2-core machine. */
export const API_RATE = 200
export const API_CONNECTIONS = 8
const API_PATHS = ['/_ping', '/containers/json', '/info'] as const

/** Longest a stream (logs -f, events) or an attach session is held. */
const MAX_HOLD_MS = 20_000
/** Longest one CLI command may take before it counts as failed: the machine is shared and loaded. */
const CLI_TIMEOUT_MS = 120_000
const FAILURE_PAUSE_MS = 1_000
/** The ticker container the streams follow: prints "tick" five times a second. */
// Not swarmgate-*: server-proxy reserves those names (an operator may not create or enter them).
export const TICKER = 'soak-ticker'

export interface WorkloadContext {
  readonly env: Environment
  readonly tally: Tally
  /** Date.now() after which no worker starts another operation. */
  readonly deadline: number
  /** Upper bound on the operations of any one worker (the loops are bounded in count as well as time). */
  readonly maxPerWorker: number
}

/** Starts the ticker on the soak's own engine (directly on its socket). */
export async function startTicker (env: Environment): Promise<void> {
  await docker(['run', '-d', '--network', 'none', '--name', TICKER, BUSYBOX_IMAGE, 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'],
    { host: `unix://${env.daemon.socket}`, timeoutMs: CLI_TIMEOUT_MS })
}

/** Runs every worker until the deadline; resolves when all have finished their last operation. */
export async function runWorkload (ctx: WorkloadContext): Promise<void> {
  const bigMd5 = createHash('md5').update(await readFile(ctx.env.files.big)).digest('hex')
  const hold = Math.min(MAX_HOLD_MS, Math.max(2_000, (ctx.deadline - Date.now()) / 6))
  const pool = new Pool(ctx.env.chain.dockerHost.replace(/^tcp:/, 'http:'), { connections: API_CONNECTIONS, pipelining: 1 })
  try {
    await Promise.all([
      ...Array.from({ length: API_CONNECTIONS }, async (_, w) => { await apiWorker(ctx, pool, w) }),
      repeat(ctx, () => 'lifecycle', async (i) => { await lifecycle(ctx, `l0-${i}`) }),
      repeat(ctx, () => 'lifecycle', async (i) => { await lifecycle(ctx, `l1-${i}`) }),
      repeat(ctx, () => 'exec', async () => { await execEcho(ctx) }),
      repeat(ctx, () => 'exec', async () => { await execEcho(ctx) }),
      repeat(ctx, () => 'logs -f', async () => { await logsFollow(ctx, hold) }),
      repeat(ctx, () => 'events', async () => { await eventsStream(ctx, hold) }),
      repeat(ctx, () => 'attach', async (i) => { await attachSession(ctx, i, hold) }),
      repeat(ctx, (i) => i % 2 === 0 ? 'cp in' : 'load', async (i) => { await (i % 2 === 0 ? copyIn(ctx, i, bigMd5) : loadImage(ctx)) })
    ])
  } finally {
    await pool.close()
  }
}

/** Counts `op` under `kind(i)` again and again until the deadline; pauses after a failure so a broken operation cannot spin. */
async function repeat (ctx: WorkloadContext, kind: (i: number) => string, op: (i: number) => Promise<void>, after?: () => Promise<void>): Promise<void> {
  for (let i = 0; i < ctx.maxPerWorker && Date.now() < ctx.deadline; i++) {
    if (!await ctx.tally.count(kind(i), async () => { await op(i) })) await sleep(FAILURE_PAUSE_MS)
    await after?.()
  }
}

function viaChain (ctx: WorkloadContext): { host: string, timeoutMs: number } {
  return { host: ctx.env.chain.dockerHost, timeoutMs: CLI_TIMEOUT_MS }
}

/** One API connection's share of API_RATE, each answer's body checked. */
async function apiWorker (ctx: WorkloadContext, pool: Pool, worker: number): Promise<void> {
  const periodMs = 1000 * API_CONNECTIONS / API_RATE
  let next = performance.now()
  const pathOf = (i: number): string => API_PATHS[(worker + i) % API_PATHS.length] as string
  await repeat(ctx, (i) => `GET ${pathOf(i)}`, async (i) => {
    const path = pathOf(i)
    const res = await pool.request({ path, method: 'GET' })
    const body = await res.body.text()
    if (res.statusCode !== 200) throw new Error(`${path}: status ${res.statusCode}: ${body.slice(0, 200)}`)
    if (path === '/_ping' && body !== 'OK') throw new Error(`/_ping answered ${JSON.stringify(body.slice(0, 100))}`)
    if (path === '/containers/json' && !Array.isArray(JSON.parse(body))) throw new Error('/containers/json is not a list')
    if (path === '/info' && typeof (JSON.parse(body) as { ID?: unknown }).ID !== 'string') throw new Error('/info has no ID')
  }, async () => {
    // Paced, not flat out: behind schedule (a loaded machine), the next call goes at once.
    next += periodMs
    const wait = next - performance.now()
    if (wait > 0) await sleep(wait)
    else next = performance.now()
  })
}

async function lifecycle (ctx: WorkloadContext, tag: string): Promise<void> {
  const o = viaChain(ctx)
  const id = await docker(['create', '--network', 'none', BUSYBOX_IMAGE, 'sh', '-c', `echo soak-${tag}`], o)
  try {
    await docker(['start', id], o)
    const code = await docker(['wait', id], o)
    if (code !== '0') throw new Error(`container exited ${code}`)
    const logs = await docker(['logs', id], o)
    if (logs !== `soak-${tag}`) throw new Error(`logs printed ${JSON.stringify(logs.slice(0, 100))}, not soak-${tag}`)
  } finally {
    await docker(['rm', '-f', id], o)
  }
}

/** 16 KB of lines through `docker exec -i C cat`: what comes back must be what went in. */
async function execEcho (ctx: WorkloadContext): Promise<void> {
  const input = Array.from({ length: 256 }, () => randomBytes(32).toString('hex')).join('\n') + '\n'
  const r = await run('docker', ['exec', '-i', CONTAINER, 'cat'], { env: dockerEnv(viaChain(ctx)), input, timeoutMs: CLI_TIMEOUT_MS })
  if (r.code !== 0) throw new Error(`docker exec exited ${String(r.code)}${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim()}`)
  if (r.stdout !== input) throw new Error(`docker exec -i cat returned ${r.stdout.length} bytes, not the ${input.length} sent${r.stdout.length === input.length ? ' (different bytes)' : ''}`)
}

/** docker logs -f of the ticker, held `holdMs`: ticks must keep coming until Ctrl-C. */
async function logsFollow (ctx: WorkloadContext, holdMs: number): Promise<void> {
  const cli = spawnDocker(ctx.env.chain.dockerHost, ['logs', '-f', '--tail', '1', TICKER])
  try {
    await cli.waitForOutput(/tick\n/, CLI_TIMEOUT_MS)
    const before = ticks(cli.stdout())
    await holdOpen(cli, holdMs, 'docker logs -f')
    // Five ticks a second are printed; on a loaded machine a few late is fine, a stalled stream is not.
    const during = ticks(cli.stdout()) - before
    if (during < holdMs / 1000) throw new Error(`docker logs -f showed ${during} ticks in ${holdMs / 1000} s (five a second are printed)`)
  } finally {
    await cli.stop('SIGINT')
  }
}

/** docker events on the ticker, held `holdMs` while execs in it make events: each must show. */
async function eventsStream (ctx: WorkloadContext, holdMs: number): Promise<void> {
  const cli = spawnDocker(ctx.env.chain.dockerHost, ['events', '--filter', `container=${TICKER}`, '--format', '{{.Action}}'])
  try {
    const end = Date.now() + holdMs
    let execs = 0
    while (Date.now() < end) {
      await docker(['exec', TICKER, 'true'], viaChain(ctx))
      execs++
      await holdOpen(cli, Math.min(2_000, Math.max(0, end - Date.now())), 'docker events')
    }
    // The first exec may race the subscription: every later one must have been seen.
    const died = await cli.waitForOutput(new RegExp(`(^exec_die\\n[^]*){${Math.max(1, execs - 1)}}`, 'm'), CLI_TIMEOUT_MS)
      .then(() => undefined, (err: Error) => err)
    if (died !== undefined) throw new Error(`docker events missed exec_die events of ${execs} execs: ${died.message}`)
  } finally {
    await cli.stop('SIGINT')
  }
}

/** docker attach to a container that answers each line it reads; "bye" ends it with status 0. */
async function attachSession (ctx: WorkloadContext, i: number, holdMs: number): Promise<void> {
  const o = viaChain(ctx)
  const name = `soak-attach-${i}`
  await docker(['run', '-d', '-i', '--network', 'none', '--name', name, BUSYBOX_IMAGE, 'sh', '-c',
    'while read l; do [ "$l" = bye ] && exit 0; echo "got $l"; done'], o)
  try {
    const cli = spawnDocker(ctx.env.chain.dockerHost, ['attach', name])
    try {
      const end = Date.now() + holdMs
      for (let n = 0; n === 0 || Date.now() < end; n++) {
        cli.child.stdin.write(`line-${i}-${n}\n`)
        await cli.waitForOutput(new RegExp(`^got line-${i}-${n}$`, 'm'), CLI_TIMEOUT_MS)
        await holdOpen(cli, Math.min(1_000, Math.max(0, end - Date.now())), 'docker attach')
      }
      cli.child.stdin.write('bye\n')
      const status = await cli.wait(CLI_TIMEOUT_MS)
      if (status.code !== 0) throw new Error(`docker attach ended with ${JSON.stringify(status)}: ${cli.stderr().trim()}`)
    } finally {
      await cli.stop('SIGKILL')
    }
  } finally {
    await docker(['rm', '-f', name], o)
  }
}

/** docker cp of the file into the long-running container; its md5 inside must match. */
async function copyIn (ctx: WorkloadContext, i: number, md5: string): Promise<void> {
  const o = viaChain(ctx)
  // The test image is FROM scratch: / is the only directory sure to exist.
  const target = `/soak-${i}`
  await docker(['cp', ctx.env.files.big, `${CONTAINER}:${target}`], o)
  const sum = await docker(['exec', CONTAINER, 'md5sum', target], o)
  await docker(['exec', CONTAINER, 'rm', target], o)
  if (sum.split(/\s+/)[0] !== md5) throw new Error(`md5 inside is ${sum}, not ${md5}`)
}

async function loadImage (ctx: WorkloadContext): Promise<void> {
  const out = await docker(['load', '-q', '-i', ctx.env.files.imageTar], viaChain(ctx))
  if (!out.includes(`Loaded image: ${BIG_IMAGE}`)) throw new Error(`docker load printed ${JSON.stringify(out.slice(0, 200))}`)
}

function ticks (out: string): number {
  return out.split('\n').filter((l) => l === 'tick').length
}

/** Waits `ms`, failing as soon as the CLI exits on its own: a held stream must stay open. */
async function holdOpen (cli: DockerProcess, ms: number, what: string): Promise<void> {
  const ended = await Promise.race([cli.exited, sleep(ms).then(() => undefined)])
  if (ended !== undefined) throw new Error(`${what} ended on its own (${JSON.stringify(ended)}): ${cli.stderr().trim()}`)
}
