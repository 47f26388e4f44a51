/**
 * Failover between managers (issue 13), every part a process on 127.0.0.1: three server-proxies
 * sharing one swarm identity stand for three managers, each behind a test-owned TCP relay that is
 * its network path (test/harness/tcp-relay.ts), and one client-proxy is given the three relays as
 * its endpoints. Manager A's engine socket is a relay this test controls
 * (test/harness/socket-relay.ts): stopping it is A's dockerd killed while its server-proxy runs.
 * Cutting a TCP relay (blackhole) is a manager cut off the network: its packets vanish.
 *
 * A loop of calls through client-proxy (GET /containers/json, what `docker ps` sends, every
 * 0.2 s) runs across each fault. Calls without a body must not fail; calls with a body that
 * cannot be replayed fail with a sentence saying what happened; when no manager is usable a call
 * gets a clear error, not a hang. How long the loop took to be back to normal after each fault is
 * printed (a figure, not asserted: this machine is shared). The swarm service is never deployed:
 * the engine is the shared one, and only this file's processes and relays are touched.
 */
import t, { type Test } from 'tap'
import http from 'node:http'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { request, Agent } from 'undici'
import { ERROR_HEADER, GATEWAY_CODES, PATHS, type EndpointList, type SwarmNode } from '@swarmgate/core'
import { useEngine, docker, BUSYBOX_IMAGE, ENGINE_SOCKET } from '../testbed/index.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { waitFor } from '../testbed/wait.js'
import { createTestIdentity, type TestIdentity } from '../fixtures/identity.js'
import { startServer } from '../fixtures/server-proxy.js'
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'
import { startTcpRelay, type TcpRelay } from '../harness/tcp-relay.js'
import { runDocker } from '../testbed/docker.js'
import { spawnDocker } from '../harness/docker-process.js'
import { clientProxyHealth, type ClientProxyHealth } from '../harness/client-proxy-calls.js'

useEngine(t)

const SWARM = 'failover/test'
const ACCOUNT = { name: 'alice', password: 'correct horse battery', role: 'operator' }
/** A bound on every call of the test, far above any deadline client-proxy has: reaching it is a hang. */
const HANG_MS = 30_000
/** An image no test has: a container create for it is refused by the engine, nothing is created. */
const ABSENT_IMAGE = 'swarmgate-failover-absent:none'

let identity: TestIdentity
let engineA: SocketRelay
const paths: TcpRelay[] = []
const servers: ProxyProcess[] = []
let client: ProxyProcess
let clientUrl: string
/** Container C of the loop's `docker exec C true`. */
const box = `sg-failover-${process.pid}`
let boxId = ''
/** A container that prints a line every 0.2 s, for `logs -f`. */
const ticker = `${box}-ticker`

interface Answer { readonly status: number, readonly headers: http.IncomingHttpHeaders, readonly body: string, readonly ms: number }

/** One call to client-proxy; status 0 and the error as body when the connection failed. */
async function call (method: string, path: string, body?: string | Buffer, base = clientUrl): Promise<Answer> {
  const started = performance.now()
  return await new Promise<Answer>((resolve) => {
    const req = http.request(`${base}${path}`, {
      method,
      timeout: HANG_MS,
      headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, ms: performance.now() - started }))
      res.on('error', (err) => resolve({ status: 0, headers: {}, body: err.message, ms: performance.now() - started }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HANG_MS} ms`)))
    req.on('error', (err) => resolve({ status: 0, headers: {}, body: err.message, ms: performance.now() - started }))
    req.end(body)
  })
}

interface Sample { readonly started: number, readonly ended: number, readonly status: number, readonly body: string }

/** The docker ps loop: GET /containers/json every 0.2 s until stopped. */
function startLoop (): { stop: () => Promise<Sample[]> } {
  const samples: Sample[] = []
  let running = true
  const done = (async () => {
    while (running) {
      const started = Date.now()
      const answer = await call('GET', '/v1.41/containers/json?limit=1')
      samples.push({ started, ended: Date.now(), status: answer.status, body: answer.body })
      await sleep(200)
    }
  })()
  return { stop: async () => { running = false; await done; return samples } }
}

interface CliRun { readonly args: readonly string[], readonly code: number | null, readonly stderr: string }

/**
 * The issue's loop with the real docker CLI: `docker ps`, `docker service ls` and `docker exec C
 * true` in turn, 0.2 s apart, until stopped.
 */
function startCliLoop (): { stop: () => Promise<CliRun[]> } {
  const runs: CliRun[] = []
  let running = true
  const commands = [['ps', '-q'], ['service', 'ls', '-q'], ['exec', box, 'true']]
  const done = (async () => {
    for (let i = 0; running; i++) {
      const args = commands[i % commands.length] as string[]
      const r = await runDocker(args, { host: `tcp://127.0.0.1:${client.port}`, timeoutMs: HANG_MS })
      runs.push({ args, code: r.code, stderr: r.stderr.trim() })
      await sleep(200)
    }
  })()
  return { stop: async () => { running = false; await done; return runs } }
}

/** Checks a CLI loop: no command without a body failed; exec (whose create has a body) may only fail saying its manager was lost. */
function checkCliLoop (t: Test, runs: readonly CliRun[], what: string): void {
  const failed = runs.filter((r) => r.code !== 0)
  t.same(failed.filter((r) => r.args[0] !== 'exec').map((r) => `docker ${r.args.join(' ')}: ${r.stderr}`), [], `${what}: no docker ps or service ls failed (${runs.length} commands)`)
  const exec = failed.filter((r) => r.args[0] === 'exec')
  for (const r of exec) t.match(r.stderr, /\S/, `a failed docker exec says why: ${r.stderr}`)
  t.comment(`${what}: ${runs.length} commands, ${exec.length} docker exec failed${exec.length === 0 ? '' : `: ${exec.map((r) => r.stderr).join(' | ')}`}`)
}

/** Calls that failed, as `status body` lines. */
function failures (samples: readonly Sample[]): string[] {
  return samples.filter((s) => s.status !== 200).map((s) => `${s.status} ${s.body.slice(0, 300)}`)
}

/**
 * When the loop was back to normal after a fault at `fault`: the end of the first call started
 * after the fault that succeeded as fast as the loop's calls usually do; and the longest call.
 */
function recovery (samples: readonly Sample[], fault: number, normalMs: number): string {
  const normal = samples.find((s) => s.started >= fault && s.status === 200 && s.ended - s.started <= normalMs)
  const longest = Math.max(0, ...samples.filter((s) => s.ended >= fault).map((s) => s.ended - s.started))
  return `back to normal ${normal === undefined ? 'never (within the loop)' : `${normal.ended - fault} ms`} after the fault; longest call ${longest} ms; ${samples.filter((s) => s.ended >= fault).length} calls`
}

/**
 * The docker CLIs to open quiet streams with: the one on PATH and, where the machine has it,
 * Debian's Docker 20.10 CLI in /usr/bin (a PATH that finds it first).
 */
const CLIS: ReadonlyArray<{ name: string, env?: Record<string, string> }> = [
  { name: 'the docker CLI on PATH' },
  ...(existsSync('/usr/bin/docker') ? [{ name: 'the docker CLI in /usr/bin', env: { PATH: `/usr/bin:${process.env.PATH ?? ''}` } }] : [])
]

/** Inspects of container `id` (by its ID) server-proxy A answered so far. */
function inspectsOf (id: string): number {
  return servers[0]?.records().filter((r) => r.route === `/containers/${id}/json`).length ?? 0
}

/** Liveness checks server-proxy A answered so far (its log lines for the JWKS). */
function livenessChecks (): number {
  return servers[0]?.records().filter((r) => r.path === PATHS.jwks).length ?? 0
}

async function health (base = clientUrl): Promise<ClientProxyHealth> {
  return await clientProxyHealth(base)
}

let normalMs = 200

t.before(async () => {
  identity = await createTestIdentity(SWARM, [ACCOUNT])
  engineA = await startSocketRelay()
  for (let i = 0; i < 3; i++) paths.push(await startTcpRelay())
  const advertised = paths.flatMap((p) => ['--advertise-endpoint', p.endpoint])
  for (const [i, path] of paths.entries()) {
    const server = await startProxyProcess('server-proxy', [
      '--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, '--engine-socket', i === 0 ? engineA.path : ENGINE_SOCKET, ...advertised
    ])
    servers.push(server)
    path.target = server.port
  }
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, ACCOUNT.password, { mode: 0o600 })
  client = await startProxyProcess('client-proxy', [
    '--host', '127.0.0.1', '--port', '0', '--swarm', SWARM, ...paths.flatMap((p) => ['--endpoint', p.endpoint]),
    '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile
  ])
  clientUrl = `http://127.0.0.1:${client.port}`
  await waitFor('client-proxy to hold a token', async () => (await call('GET', PATHS.health)).status === 200 ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })
  boxId = await docker(['run', '-d', ...CONTAINER_ARGS, '--name', box, BUSYBOX_IMAGE, 'sleep', '3600'])
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', ticker, BUSYBOX_IMAGE, 'sh', '-c', 'while true; do echo tick; sleep 0.2; done'])
})

t.afterEach(async (t) => {
  if (t.passing()) return
  t.comment(`last log lines:\n${[client, ...servers].flatMap((p) => p?.lines().slice(-25).map((l) => `${p.name}(${p.port}): ${l}`) ?? []).join('\n')}`)
})

t.teardown(async () => {
  await docker(['rm', '-f', box, ticker]).catch(() => {})
  await Promise.all([client, ...servers].map(async (p) => { await p?.stop() }))
  await Promise.all(paths.map(async (p) => { await p.close() }))
  await engineA?.close()
  await identity?.remove()
})

t.test('1. three healthy managers: the loop never fails and goes to the first endpoint', async (t) => {
  const loop = startLoop()
  await sleep(2_000)
  const samples = await loop.stop()
  t.same(failures(samples), [], 'no call failed')
  const sorted = samples.map((s) => s.ended - s.started).sort((a, b) => a - b)
  normalMs = Math.max(200, 3 * (sorted[Math.floor(sorted.length / 2)] ?? 0))
  const state = await health()
  t.equal(state.endpoint, paths[0]?.endpoint, 'calls go to the first endpoint')
  t.same(state.endpoints.map((e) => e.healthy), [true, true, true], 'every endpoint is healthy')
})

t.test('1b. slow calls and quiet streams are never taken for a lost manager', async (t) => {
  // PID 1 ignores SIGTERM: `stop -t 3` answers only after 3 s, when the engine kills it.
  const slow = `${box}-slow`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', slow, BUSYBOX_IMAGE, 'sleep', '3600'])
  t.teardown(async () => { await docker(['rm', '-f', slow]).catch(() => {}) })
  const host = `tcp://127.0.0.1:${client.port}`
  const checksBefore = livenessChecks()
  const logs = spawnDocker(host, ['logs', '-f', slow])
  const wait = spawnDocker(host, ['wait', slow])
  t.teardown(async () => { await logs.stop('SIGKILL'); await wait.stop('SIGKILL') })
  // Quiet for longer than the liveness heartbeat (5 s): the checks answer, nothing is cut.
  await sleep(6_500)
  const stop = await call('POST', `/v1.41/containers/${slow}/stop?t=3`)
  t.equal(stop.status, 204, `stop -t 3 waited for its answer (${Math.round(stop.ms)} ms) and got it`)
  t.same(await logs.wait(HANG_MS), { code: 0, signal: null }, 'the quiet logs -f ended only when the container stopped, without an error')
  t.same(await wait.wait(HANG_MS), { code: 0, signal: null }, 'docker wait got the exit status')
  t.match(wait.stdout(), /^137\n$/, 'the status of a killed container')
  t.same((await health()).endpoints.map((e) => e.healthy), [true, true, true], 'every endpoint is still healthy')
  t.ok(livenessChecks() > checksBefore, `the manager was asked whether it is alive meanwhile (${livenessChecks() - checksBefore} liveness checks), and answered`)
})

t.test('2. the current manager\'s engine is gone (dockerd killed, its server-proxy runs)', async (t) => {
  const logs = spawnDocker(`tcp://127.0.0.1:${client.port}`, ['logs', '-f', '--tail', '1', ticker])
  t.teardown(async () => { await logs.stop('SIGKILL') })
  await logs.waitForOutput(/tick\n/)
  // Streams that sent nothing yet (the container printed nothing): this engine (Docker 20.10)
  // names no Content-Type for logs, so client-proxy asks the container whether it has a TTY.
  // Opened with each docker CLI this machine has, Docker 20.10's included.
  const inspectsBefore = inspectsOf(boxId)
  const quiet = CLIS.map((cli) => ({ cli, logs: spawnDocker(`tcp://127.0.0.1:${client.port}`, ['logs', '-f', box], cli.env === undefined ? {} : { env: cli.env }) }))
  t.teardown(async () => { for (const q of quiet) await q.logs.stop('SIGKILL') })
  // Each CLI asks for the logs by the container's ID, and client-proxy, once their heads came, asks
  // the engine by that ID whether it has a TTY.
  await waitFor('the quiet streams to be open', async () => inspectsOf(boxId) >= inspectsBefore + quiet.length ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })
  const fault = Date.now()
  await engineA.stop()
  // The first call to reach A has a body too large to replay: it cannot be sent elsewhere, and
  // says what happened; A's server-proxy never forwarded it.
  const big = JSON.stringify({ Image: ABSENT_IMAGE, Env: [`PAD=${'x'.repeat(70 * 1024)}`] })
  const refused = await call('POST', '/v1.41/containers/create', big)
  t.ok(refused.status === 503 || refused.status === 502, `a call with a 70 KiB body fails (${refused.status})`)
  t.match(refused.body, /"message":"swarmgate: .*(cannot be reached, the call was not carried out|could not be checked)/, 'its message says the manager\'s engine cannot be reached and the call was not carried out')
  t.ok([GATEWAY_CODES.engineUnreachable, GATEWAY_CODES.factsUnavailable].includes(refused.headers[ERROR_HEADER.toLowerCase()] as 'SG_ERR_ENGINE_UNREACHABLE'), 'with its code in X-Swarmgate-Error')

  const loop = startLoop()
  const cli = startCliLoop()
  // Calls with small bodies and without are sent on to a manager whose engine answers.
  const small = await call('POST', '/v1.41/containers/create', JSON.stringify({ Image: ABSENT_IMAGE }))
  t.equal(small.status, 404, 'a create with a small body reaches an engine (which has no such image)')
  t.match(small.body, /No such image/)
  const stop = await call('POST', '/v1.41/containers/swarmgate-failover-absent/stop')
  t.equal(stop.status, 404, 'a POST without a body reaches an engine (which has no such container)')
  const ps = await runDocker(['ps', '-q'], { host: `tcp://127.0.0.1:${client.port}` })
  t.equal(ps.code, 0, `docker ps works (${ps.stderr.trim()})`)
  await sleep(2_000)
  const samples = await loop.stop()
  t.same(failures(samples), [], 'no call of the loop failed')
  t.comment(`engine of the current manager killed: ${recovery(samples, fault, normalMs)}`)
  checkCliLoop(t, await cli.stop(), 'engine of the current manager killed')

  const cut = await logs.wait(HANG_MS)
  t.not(cut.code, 0, 'the logs -f stream open on A ended with a failure status')
  t.match(logs.stderr(), /error from daemon in stream: swarmgate: the stream from the manager at \S+ broke \(.*\); this stream ends here, run the command again/, 'saying its stream broke')
  t.comment(`docker logs -f on the manager whose engine was killed printed: ${logs.stderr().trim()}`)
  for (const { cli, logs: stream } of quiet) {
    const ended = await stream.wait(HANG_MS)
    t.not(ended.code, 0, `${cli.name}: the quiet logs -f ended with a failure status`)
    t.match(stream.stderr(), /^error from daemon in stream: swarmgate: the stream from the manager at \S+ broke \(.*\); this stream ends here, run the command again\n$/, `${cli.name}: saying its stream broke, not "unexpected EOF"`)
    t.comment(`${cli.name}: docker logs -f of a quiet container printed: ${stream.stderr().trim()}`)
  }
  const state = await health()
  t.equal(state.endpoints[0]?.healthy, false, 'A is unhealthy')
  t.match(state.endpoints[0]?.reason, /503|engine/, `with the reason (${state.endpoints[0]?.reason ?? ''})`)
  t.equal(state.endpoint, paths[1]?.endpoint, 'calls go to the next endpoint')
})

t.test('3. the engine comes back: the manager is probed healthy again, and the current one stays', async (t) => {
  await engineA.start()
  const state = await waitFor('A to be healthy again', async () => { const h = await health(); return h.endpoints[0]?.healthy === true ? h : undefined }, { timeoutMs: 10_000, intervalMs: 100 })
  t.equal(state.endpoint, paths[1]?.endpoint, 'calls still go to B (no flapping back)')
})

t.test('4. the current manager is cut off the network (its packets vanish)', async (t) => {
  // A stream open on B before the cut: `docker events` is silent until something happens.
  const events = spawnDocker(`tcp://127.0.0.1:${client.port}`, ['events', '--filter', 'type=plugin'])
  t.teardown(async () => { await events.stop('SIGKILL') })
  const logs = spawnDocker(`tcp://127.0.0.1:${client.port}`, ['logs', '-f', '--tail', '1', ticker])
  t.teardown(async () => { await logs.stop('SIGKILL') })
  await logs.waitForOutput(/tick\n/)
  // A call that changes something, in flight on B when it is cut: `stop -t 30` of a container
  // whose PID 1 ignores SIGTERM takes 30 s before its answer.
  const stubborn = `${box}-stubborn`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', stubborn, BUSYBOX_IMAGE, 'sleep', '3600'])
  t.teardown(async () => { await docker(['rm', '-f', stubborn]).catch(() => {}) })
  const stopping = call('POST', `/v1.41/containers/${stubborn}/stop?t=30`)
  await sleep(1_500)
  const loop = startLoop()
  await sleep(1_000)
  const fault = Date.now()
  paths[1]?.blackhole()
  await sleep(4_000)
  const samples = await loop.stop()
  t.same(failures(samples), [], 'no call of the loop failed')
  t.comment(`current manager cut off: ${recovery(samples, fault, normalMs)}`)
  const stopped = await stopping
  t.equal(stopped.status, 502, 'the stop in flight on the lost manager is not sent again')
  t.match(stopped.body, /"message":"swarmgate: the manager this call went to was lost: \S+ stopped answering during POST \S+\/stop\?t=30, which may or may not have been carried out/, 'and says it may or may not have been carried out')
  t.comment(`a stop in flight on the lost manager: ${stopped.status} ${stopped.body}`)
  const state = await health()
  t.equal(state.endpoints[1]?.healthy, false, 'B is unhealthy')
  t.match(state.endpoints[1]?.reason, /within \d+ ms/, `because it stopped answering (${state.endpoints[1]?.reason ?? ''})`)

  const cut = await logs.wait(HANG_MS)
  t.not(cut.signal, 'SIGKILL', 'the logs -f stream open on B ended on its own')
  t.not(cut.code, 0, 'with a failure status')
  t.match(logs.stderr(), /error from daemon in stream: swarmgate: the manager this call went to was lost: \S+ stopped answering \(.*\); this stream ends here, run the command again/, 'saying its manager was lost')
  t.comment(`docker logs -f on the lost manager printed: ${logs.stderr().trim()}`)
  const ended = await events.wait(HANG_MS)
  t.not(ended.signal, 'SIGKILL', 'the events stream open on B ended on its own')
  t.not(ended.code, 0, 'with a failure status')
  t.comment(`docker events on the lost manager printed: ${events.stderr().trim()}`)
  const next = await runDocker(['ps', '-q'], { host: `tcp://127.0.0.1:${client.port}` })
  t.equal(next.code, 0, 'the next command works')
})

t.test('5. two of three managers lost: the current one is cut off too, the last takes every call (the docker CLI loop)', async (t) => {
  const loop = startLoop()
  const cli = startCliLoop()
  await sleep(1_500)
  const fault = Date.now()
  paths[2]?.blackhole()
  await sleep(4_000)
  const samples = await loop.stop()
  t.same(failures(samples), [], 'no call of the loop failed')
  t.comment(`second manager lost (the current one, cut off): ${recovery(samples, fault, normalMs)}`)
  checkCliLoop(t, await cli.stop(), 'second manager lost')
  t.equal((await health()).endpoint, paths[0]?.endpoint, 'calls go to A')
})

t.test('6. every manager lost: a clear error, not a hang', async (t) => {
  await engineA.stop()
  // A's server-proxy answers but its engine is gone: its own answer says so.
  const first = await call('GET', '/v1.41/containers/json')
  t.equal(first.status, 503, `answered ${first.status} in ${Math.round(first.ms)} ms`)
  t.match(first.body, /"message":"swarmgate: this manager's Docker engine cannot be reached, the call was not carried out/, 'the last manager\'s own answer says why')
  t.comment(`with one server-proxy answering (engine gone): ${first.status} ${first.body}`)
  paths[0]?.blackhole()
  await sleep(3_000)
  const none = await call('GET', '/v1.41/containers/json')
  t.equal(none.status, 502, `with nothing answering: ${none.status} in ${Math.round(none.ms)} ms`)
  t.match(none.body, /swarmgate: no manager of the swarm can take calls now: /, 'says no manager can take calls')
  for (const path of paths) t.match(none.body, path.endpoint, `and names ${path.endpoint} with its problem`)
  const ps = await runDocker(['ps'], { host: `tcp://127.0.0.1:${client.port}`, timeoutMs: HANG_MS })
  t.not(ps.code, 0, 'docker ps fails')
  t.match(ps.stderr, /Error response from daemon: swarmgate: no manager of the swarm can take calls now/, 'and prints why')
  t.comment(`docker ps with every manager lost: ${ps.stderr.trim()}`)
})

t.test('7. managers back: the loop is back to normal', async (t) => {
  for (const path of paths) path.pass()
  await engineA.start()
  const back = Date.now()
  await waitFor('a call to succeed', async () => (await call('GET', '/v1.41/containers/json?limit=1')).status === 200 ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })
  t.comment(`first call answered ${Date.now() - back} ms after the managers came back`)
  const loop = startLoop()
  await sleep(2_000)
  t.same(failures(await loop.stop()), [], 'no call of the loop failed')
  await waitFor('every endpoint healthy', async () => (await health()).endpoints.every((e) => e.healthy) ? true : undefined, { timeoutMs: 15_000, intervalMs: 200 })
})

t.test('7b. an exec is started and inspected on the manager that created it, across a failover', async (t) => {
  const createExec = async (): Promise<string> => {
    const created = await call('POST', `/v1.41/containers/${box}/exec`, JSON.stringify({ Cmd: ['true'] }))
    t.equal(created.status, 201, `exec created: ${created.body}`)
    return (JSON.parse(created.body) as { Id: string }).Id
  }
  const currentIndex = async (): Promise<number> => { const endpoint = (await health()).endpoint; return paths.findIndex((p) => p.endpoint === endpoint) }
  const execCalls = (id: string): number[] => servers.map((s) => s.records().filter((r) => typeof r.route === 'string' && r.route.includes(`/exec/${id}/`)).length)

  const id = await createExec()
  const owner = await currentIndex()
  // Cut off for a moment: calls move to the next manager; back on the network, it is no longer current.
  paths[owner]?.blackhole()
  await waitFor('calls to move to another manager', async () => {
    await call('GET', '/v1.41/containers/json?limit=1')
    return await currentIndex() !== owner ? true : undefined
  }, { timeoutMs: 15_000, intervalMs: 100 })
  paths[owner]?.pass()
  const start = await call('POST', `/v1.41/exec/${id}/start`, JSON.stringify({ Detach: true }))
  t.equal(start.status, 200, `the start was answered: ${start.body}`)
  const inspect = await call('GET', `/v1.41/exec/${id}/json`)
  t.equal(inspect.status, 200, 'and its inspect')
  const expected = paths.map((_, i) => i === owner ? 2 : 0)
  await waitFor('the calls on the exec to be logged', async () => execCalls(id)[owner] === 2 ? true : undefined, { timeoutMs: 10_000, intervalMs: 100 })
  t.same(execCalls(id), expected, `by the manager that created the exec (${paths[owner]?.endpoint ?? ''}), not by the current one (${(await health()).endpoint})`)

  // The manager that created an exec is lost: its start is not sent elsewhere, and says why.
  const second = await createExec()
  const creator = await currentIndex()
  paths[creator]?.blackhole()
  t.teardown(() => { paths[creator]?.pass() })
  const refused = await call('POST', `/v1.41/exec/${second}/start`, JSON.stringify({ Detach: true }))
  t.equal(refused.status, 503, 'a start whose manager is lost')
  t.equal(refused.headers['content-type'], 'application/json')
  t.match(refused.body, new RegExp(`"message":"swarmgate: the manager that created this exec instance cannot be reached: exec ${second} was created on the manager at ${paths[creator]?.endpoint ?? ''} \\(.*\\) and exists only there; run the command again"`), 'says the manager that created it cannot be reached')
  t.comment(`an exec start whose manager was cut off: ${refused.status} ${refused.body}`)
  t.same(execCalls(second), paths.map(() => 0), 'no manager was asked to start it')
  paths[creator]?.pass()
  await waitFor('every endpoint healthy', async () => (await health()).endpoints.every((e) => e.healthy) ? true : undefined, { timeoutMs: 15_000, intervalMs: 200 })
})

t.test('8. the endpoint list follows the swarm, and server-proxy\'s own answers carry their code', async (t) => {
  t.test('server-proxy tells an authenticated client where the managers are', async (t) => {
    const dispatcher = new Agent({ connect: { ca: identity.caPem } })
    t.teardown(async () => { await dispatcher.close() })
    const url = `https://${paths[2]?.endpoint ?? ''}${PATHS.endpoints}`
    const anonymous = await request(url, { dispatcher })
    t.equal(anonymous.statusCode, 401, 'not without a token')
    t.equal(anonymous.headers[ERROR_HEADER.toLowerCase()], 'SG_ERR_AUTH_MISSING', 'and says why in X-Swarmgate-Error')
    await anonymous.body.dump()
    const refused = await request(`https://${paths[2]?.endpoint ?? ''}/v1.41/containers/json`, { dispatcher })
    t.equal(refused.statusCode, 401, 'a Docker API call without a token is refused')
    t.equal(refused.headers[ERROR_HEADER.toLowerCase()], 'SG_ERR_AUTH_MISSING', 'with its code in X-Swarmgate-Error too')
    await refused.body.dump()
    const login = await request(`https://${paths[2]?.endpoint ?? ''}${PATHS.token}`, {
      dispatcher,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ACCOUNT.name, password: ACCOUNT.password }).toString()
    })
    const token = (await login.body.json() as { access_token: string }).access_token
    const answer = await request(url, { dispatcher, headers: { authorization: `Bearer ${token}` } })
    t.equal(answer.statusCode, 200)
    t.same(await answer.body.json(), { swarm: SWARM, endpoints: paths.map((p) => p.endpoint) }, 'the --advertise-endpoint list')
  })

  t.test('without --advertise-endpoint: every manager\'s address with the port server-proxy listens on', async (t) => {
    const server = await startServer({ engineSocket: ENGINE_SOCKET, identity })
    t.teardown(async () => { await server.close() })
    const token = (await server.token({ grant_type: 'password', username: ACCOUNT.name, password: ACCOUNT.password })).body.access_token as string
    const answer = await request(`${server.url}${PATHS.endpoints}`, { dispatcher: server.dispatcher, headers: { authorization: `Bearer ${token}` } })
    const list = await answer.body.json() as EndpointList
    const ids = (await runDocker(['node', 'ls', '-q', '--filter', 'role=manager'])).stdout.trim().split('\n')
    const nodes = JSON.parse((await runDocker(['node', 'inspect', ...ids])).stdout) as SwarmNode[]
    const hosts = nodes.map((n) => (n.ManagerStatus?.Addr ?? '').replace(/:\d+$/, ''))
    t.same([...list.endpoints].sort(), hosts.map((h) => `${h}:${server.port}`).sort(), `the managers as the engine lists them (${list.endpoints.join(', ')})`)
  })

  t.test('a client-proxy given one endpoint learns the others', async (t) => {
    const passwordFile = join(identity.dir, 'password')
    const one = await startProxyProcess('client-proxy', [
      '--host', '127.0.0.1', '--port', '0', '--swarm', SWARM, '--endpoint', paths[2]?.endpoint ?? '',
      '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile
    ])
    t.teardown(async () => { await one.stop() })
    const state = await waitFor('the list to be learned', async () => {
      const h = await health(`http://127.0.0.1:${one.port}`).catch(() => undefined)
      return h !== undefined && h.endpoints.length === 3 ? h : undefined
    }, { timeoutMs: 15_000, intervalMs: 200 })
    t.same(state.endpoints.map((e) => e.endpoint), paths.map((p) => p.endpoint), 'it knows every manager, in the swarm\'s order')
    t.equal(state.endpoint, paths[2]?.endpoint, 'and keeps using the one it had')
  })
})
