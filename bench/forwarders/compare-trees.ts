/**
 * By hand: the relay of two builds of swarmgate side by side, in the same interleaved rounds, in
 * front of the engine socket given (docs/performance.md, "The relay per call"). Each
 * tree is a checkout with its packages compiled (its own dist/ and a node_modules whose
 * @swarmgate/* point at its own packages): for each, the single-hop relay (its
 * bench/forwarders/serve.ts) and both proxies as processes with the relay on; the first tree's
 * careful chain, undici single hop and the socket itself for reference. GET /_ping only, on
 * 127.0.0.1 and the unix socket, nothing else. Besides calls/s, the CPU time the subject's
 * processes spent per call (user and system, from /proc/<pid>/stat): on a machine shared with
 * other work, calls/s follow the load, CPU per call much less.
 *
 *   node --import=@tapjs/typescript/import bench/forwarders/compare-trees.ts SOCKET NAME=TREE... [--ms N] [--rounds N]
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { createTestIdentity } from '../../test/fixtures/identity.js'
import { waitFor } from '../../test/testbed/wait.js'
import { freePort, portOpen } from '../setup/ports.js'
import { runLoad } from '../load.js'
import { median } from '../stats.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => { const i = args.indexOf(name); return i === -1 ? fallback : Number(args[i + 1]) }
const ms = option('--ms', 2_000)
const rounds = option('--rounds', 3)
const [socket = '', ...named] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
const trees = named.map((n) => { const [name = '', dir = ''] = n.split('='); return { name, dir } })
if (socket === '' || trees.length === 0) throw new Error('usage: compare-trees.ts SOCKET NAME=TREE... [--ms N] [--rounds N]')

const children: ChildProcess[] = []
let identity: Awaited<ReturnType<typeof createTestIdentity>> | undefined
const ACCOUNT = { name: 'alice', password: 'correct horse battery', role: 'owner' }

/** CPU seconds (user and system) `pids` have used so far. */
async function cpuSeconds (pids: readonly number[]): Promise<number> {
  let ticks = 0
  for (const pid of pids) {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ')
    ticks += Number(fields[11]) + Number(fields[12])
  }
  // Clock ticks are 1/100 s on Linux (USER_HZ).
  return ticks / 100
}

/** Starts `node [loader] script args` in `dir` and resolves once `port` accepts connections; its pid. */
async function start (dir: string, script: string, scriptArgs: readonly string[], port: number, ts = false): Promise<number> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWARMGATE_')))
  const child = spawn(process.execPath, [...(ts ? ['--import=@tapjs/typescript/import'] : []), script, ...scriptArgs], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
  await waitFor(`${script} on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${stderr}`)
    return await portOpen(port) ? true : undefined
  }, { timeoutMs: 60_000, intervalMs: 100 })
  return child.pid as number
}

/** server-proxy and client-proxy of `dir`; the origin of client-proxy once it holds a token. */
async function chain (dir: string, relay: boolean, identity: Awaited<ReturnType<typeof createTestIdentity>>, passwordFile: string): Promise<Subject> {
  const [serverPort, clientPort] = [await freePort(), await freePort()]
  const relayArgs = relay ? ['--relay=on'] : ['--relay=off']
  const server = await start(dir, 'packages/server-proxy/dist/main.js', ['--host', '127.0.0.1', '--port', String(serverPort), ...identity.serverArgs, '--engine-socket', socket, ...relayArgs], serverPort)
  const client = await start(dir, 'packages/client-proxy/dist/main.js', ['--host', '127.0.0.1', '--port', String(clientPort), '--swarm', 'bench/relay', '--endpoint', `127.0.0.1:${serverPort}`,
    '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile, ...relayArgs], clientPort)
  const origin = `http://127.0.0.1:${clientPort}`
  await waitFor('client-proxy to answer', async () => {
    const r = await runLoad({ origin, options: {} }, { path: '/_ping', connections: 1, durationMs: 50, warmupMs: 0 })
    return r.errors === 0 && r.calls > 0 ? true : undefined
  }, { timeoutMs: 30_000, intervalMs: 200 })
  return { key: '', origin, pids: [server, client] }
}

async function forwarder (dir: string, kind: string): Promise<Subject> {
  const port = await freePort()
  const pid = await start(dir, 'bench/forwarders/serve.ts', [kind, String(port), socket], port, true)
  return { key: '', origin: `http://127.0.0.1:${port}`, pids: [pid] }
}

interface Subject {
  readonly key: string
  readonly origin: string
  /** The processes whose CPU time a call costs (none for the socket: dockerd is not ours). */
  readonly pids: readonly number[]
}

try {
  identity = await createTestIdentity('bench/relay', [ACCOUNT])
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, ACCOUNT.password, { mode: 0o600 })
  const first = trees[0] as { name: string, dir: string }
  const subjects: Subject[] = [
    { key: 'socket (unix, undici)', origin: 'unix', pids: [] },
    { ...await forwarder(first.dir, 'undici'), key: `single hop, undici (${first.name})` }
  ]
  for (const t of trees) subjects.push({ ...await forwarder(t.dir, 'relay'), key: `single hop, relay (${t.name})` })
  subjects.push({ ...await chain(first.dir, false, identity, passwordFile), key: `processes, careful (${first.name})` })
  for (const t of trees) subjects.push({ ...await chain(t.dir, true, identity, passwordFile), key: `processes, relay (${t.name})` })
  const samples = new Map<string, Array<{ cps: number, p50: number, cpuUs: number }>>()
  for (let round = 0; round < rounds; round++) {
    for (const connections of [1, 16]) {
      // Rotated each round, so no subject always runs first or last.
      const order = subjects.map((_, i) => subjects[(i + round) % subjects.length] as Subject)
      for (const s of order) {
        const endpoint = s.origin === 'unix' ? { origin: 'http://localhost', options: { socketPath: socket } } : { origin: s.origin, options: {} }
        await runLoad(endpoint, { path: '/_ping', connections, durationMs: 300, warmupMs: 0 })
        // Every call of the measured run is counted, so its CPU time is divided by all of them.
        const cpuBefore = await cpuSeconds(s.pids)
        const r = await runLoad(endpoint, { path: '/_ping', connections, durationMs: ms, warmupMs: 0 })
        const cpuUs = (await cpuSeconds(s.pids) - cpuBefore) * 1e6 / Math.max(1, r.calls + r.errors)
        const key = `${connections} ${s.key}`
        samples.set(key, [...(samples.get(key) ?? []), { cps: r.callsPerSecond, p50: r.p50Ms, cpuUs }])
        if (r.errors > 0) console.error(`${key}: ${r.errors} errors`)
      }
    }
    console.error(`round ${round + 1}/${rounds} done`)
  }
  console.log('| subject | 1 conn: calls/s (each round), p50, CPU µs per call | 16 conns: calls/s (each round), CPU µs per call |\n|---|---|---|')
  for (const s of subjects) {
    const one = samples.get(`1 ${s.key}`) ?? []
    const sixteen = samples.get(`16 ${s.key}`) ?? []
    const cps = (xs: typeof one): string => `${Math.round(median(xs.map((x) => x.cps))).toLocaleString('en')} (${xs.map((x) => Math.round(x.cps)).join(', ')})`
    const cpu = (xs: typeof one): string => s.pids.length === 0 ? 'n/a' : `${Math.round(median(xs.map((x) => x.cpuUs)))} µs`
    console.log(`| ${s.key} | ${cps(one)}, ${median(one.map((x) => x.p50)).toFixed(2)} ms, ${cpu(one)} | ${cps(sixteen)}, ${cpu(sixteen)} |`)
  }
} finally {
  for (const c of children) { c.kill('SIGTERM'); if (c.exitCode === null) await once(c, 'exit') }
  await identity?.remove()
}
