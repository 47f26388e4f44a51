// Failover in the lab (issue 13): one client-proxy given the three managers' endpoints (the
// leader's first) serves the loop (docker ps, docker service ls, docker exec C true;
// test/lab/command-loop.ts) while, in turn, the manager it uses is cut off the network (its link
// down: packets vanish), the next one it uses has its dockerd killed (SIGKILL; its server-proxy task
// keeps running), and then the one after that is cut off too, which leaves one manager of three:
// no quorum. A stream open on each lost manager (docker events, docker logs -f) must end with an
// error by itself, and the next command work. A call counts as the gateway's failure only when the
// same call on a surviving manager's own socket succeeded at that moment: without a leader the
// swarm refuses swarm calls everywhere. Figures are printed (docs/failover.md), never asserted.
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUSYBOX_IMAGE, LABEL_ARGS, docker, dockerLines, runDocker, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { spawnDocker, type DockerProcess } from '../harness/docker-process.js'
import { exportedHost, parseClientCommand } from '../e2e/journey-steps.js'
import { HANG_MS, describeFailures, describeFigures, figures, gatewayFailures, startLoop, type LoopCall } from './command-loop.js'
import { cutLink, killEngine, restoreLink } from './faults.js'
import { logInFromThisMachine, nodeOf, proxyHealth, proxyWarnings, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/failover-${suffix}`
const password = `correct horse ${suffix}`
/** C of the loop: one of this name on every manager's own engine. */
const C = `sg-lab-c-${suffix}`
/** How long the loop runs on after a fault: past the swarm's own leader election (about 10 to 15 s). */
const AFTER_FAULT_MS = 25_000

/** client-proxy's DOCKER_HOST. */
let host = ''
/** Managers lost so far (cut off or engine killed), never used as a shadow. */
const lost = new Set<string>()

/** The manager client-proxy sends calls to now. */
async function currentManager (): Promise<LabNode> {
  return nodeOf(lab.managers, (await proxyHealth(host)).endpoint)
}

/** A manager that is neither lost nor `except`: its own socket is the loop's shadow. */
function survivor (except: LabNode): LabNode {
  const node = lab.managers.find((m) => m.name !== except.name && !lost.has(m.name))
  if (node === undefined) throw new Error(`no manager left besides ${except.name}`)
  return node
}

/** The swarm's leader as `node`'s engine sees it, if it knows one. */
async function leader (node: LabNode): Promise<string | undefined> {
  const r = await runDocker(['node', 'ls', '--format', '{{.Hostname}} {{.ManagerStatus}}'], { host: nodeHost(node), timeoutMs: 30_000 })
  return r.stdout.split('\n').find((l) => l.endsWith(' Leader'))?.split(' ')[0]
}

interface FaultRun {
  readonly calls: LoopCall[]
  readonly faultAt: number
  readonly stream: DockerProcess
}

/**
 * Opens `stream` through client-proxy (it goes to `target`, the current manager), runs the loop,
 * causes `fault` on `target`, and keeps the loop going for `afterMs`.
 */
async function withFault (t: Test, target: LabNode, stream: string[], fault: () => Promise<void>, afterMs = AFTER_FAULT_MS): Promise<FaultRun> {
  t.equal((await currentManager()).name, target.name, `client-proxy uses ${target.name}`)
  const shadow = survivor(target)
  const open = spawnDocker(host, stream)
  t.teardown(async () => { await open.stop('SIGKILL') })
  const loop = startLoop({ host, container: C, shadow: () => shadow })
  await sleep(2_500)
  const faultAt = Date.now()
  await fault()
  lost.add(target.name)
  await sleep(afterMs)
  return { calls: await loop.stop(), faultAt, stream: open }
}

/** The checks every fault shares; prints the figures. */
async function checkRun (t: Test, event: string, run: FaultRun): Promise<void> {
  const { calls, faultAt } = run
  for (const line of describeFigures(figures(event, calls, faultAt))) t.comment(line)
  for (const line of describeFailures(calls, faultAt)) t.comment(`  ${line}`)
  for (const line of await proxyWarnings(swarm, faultAt)) t.comment(`  client-proxy, ${line}`)
  t.ok(calls.filter((c) => c.startedAt > faultAt).length >= 10, `the loop kept calling after the fault (${calls.length} calls)`)
  t.same(calls.filter((c) => c.hung).map((c) => `docker ${c.args.join(' ')}`), [], 'no call hung')
  const failed = gatewayFailures(calls)
  t.same(failed.filter((c) => !c.hasBody).map((c) => `docker ${c.args.join(' ')}: ${c.message}`), [], 'no call without a body failed through the gateway')
  for (const c of failed.filter((c) => c.hasBody)) t.match(c.message, /\S/, `a failed docker ${c.args.join(' ')} says why: ${c.message}`)

  // The stream open on the lost manager ends by itself, with an error; the next command works.
  const ended = await run.stream.wait(30_000)
  t.not(ended.signal, 'SIGKILL', 'the stream open on the lost manager ended by itself')
  t.not(ended.code, 0, 'with a failure status')
  t.comment(`the stream open on the lost manager printed: ${run.stream.stderr().trim()}`)
  const next = await runDocker(['ps', '-q'], { host, timeoutMs: HANG_MS })
  t.equal(next.code, 0, `the next command works (${next.stderr.trim()})`)
}

t.test('registration, and a client given the three endpoints, the leader\'s first', async (t) => {
  // Failover is the managers' matter: no node agents (every-node.test.ts has them), so registration
  // waits for no agent task on the four nodes.
  const registered = await registerOn(lab.node('m1'), swarm, password, ['--node-agents', 'off'])
  t.equal(registered.code, 0, registered.stderr)
  const command = parseClientCommand(registered.stdout)
  const first = await leader(lab.node('m1'))
  if (first === undefined) throw new Error('the swarm has no leader')
  const leading = command.endpoints.filter((e) => nodeOf(lab.managers, e).name === first)
  const endpoints = [...leading, ...command.endpoints.filter((e) => !leading.includes(e))]
  const login = await logInFromThisMachine({ swarm, password, endpoints, fingerprint: command.fingerprint, volume: `swarmgate-client-test-${suffix}` })
  t.equal(login.code, 0, login.stderr)
  host = exportedHost(login.stdout)
  // C prints a line first: against Docker 20.10 (no multiplexed Content-Type) client-proxy tells
  // a multiplexed logs stream by its first frame, and only then can end it with a sentence; a
  // stream that sent nothing yet ends with the CLI's `unexpected EOF` (client-proxy's stream-tail.ts).
  for (const manager of lab.managers) await docker(['run', '-d', ...LABEL_ARGS, '--name', C, BUSYBOX_IMAGE, 'sh', '-c', 'echo C is up; exec sleep 3600'], { host: nodeHost(manager) })
  t.equal((await currentManager()).name, first, `calls go to the leader, ${first}`)
})

t.test('the current manager cut off the network (packets vanish), a docker events stream open on it', async (t) => {
  const target = await currentManager()
  const wasLeader = await leader(target) === target.name
  const run = await withFault(t, target, ['events'], async () => { await cutLink(lab.lab, target) })
  await checkRun(t, `${target.name}${wasLeader ? ' (the leader)' : ''} cut off`, run)
  const health = await proxyHealth(host)
  const entry = health.endpoints.find((e) => nodeOf(lab.managers, e.endpoint).name === target.name)
  t.equal(entry?.healthy, false, `client-proxy holds ${target.name} unhealthy: ${entry?.reason ?? ''}`)

  // Back on the network: the swarm has its three managers again and client-proxy uses it again when its turn comes.
  await restoreLink(lab.lab, target)
  lost.delete(target.name)
  await waitFor('client-proxy to find every manager healthy', async () => (await proxyHealth(host)).endpoints.every((e) => e.healthy) ? true : undefined, { timeoutMs: 60_000 })
  await waitFor('the three managers to be reachable with a leader', async () => {
    const states = await dockerLines(['node', 'ls', '--filter', 'role=manager', '--format', '{{.ManagerStatus}}'], { host: nodeHost(target) })
    return states.length === 3 && states.every((s) => s === 'Leader' || s === 'Reachable') ? true : undefined
  }, { timeoutMs: 90_000 })
})

t.test('the current manager\'s dockerd killed (its server-proxy task runs on), a docker logs -f stream open on it', async (t) => {
  const target = await currentManager()
  const wasLeader = await leader(target) === target.name
  const run = await withFault(t, target, ['logs', '-f', C], async () => { await killEngine(target) })
  await checkRun(t, `${target.name}${wasLeader ? ' (the leader)' : ''}: dockerd killed`, run)
  t.match(run.stream.stderr(), /swarmgate: .*stream/, 'docker logs -f says the stream from the lost manager broke')
  const health = await proxyHealth(host)
  const entry = health.endpoints.find((e) => nodeOf(lab.managers, e.endpoint).name === target.name)
  t.equal(entry?.healthy, false, `client-proxy holds ${target.name} unhealthy: ${entry?.reason ?? ''}`)
  t.match(entry?.reason, /engine/, 'because its server-proxy says its engine is gone')
  // The two left have a quorum: the next case starts from a swarm with a leader.
  await waitFor('the two managers left to have a leader', async () => await leader(survivor(target)), { timeoutMs: 120_000, intervalMs: 1_000 })
})

t.test('two of three managers lost (no quorum): the last one serves its engine, swarm calls say why, nothing hangs', async (t) => {
  const target = await currentManager()
  const last = survivor(target)
  const run = await withFault(t, target, ['events'], async () => { await cutLink(lab.lab, target) })
  await checkRun(t, `${target.name} cut off too (no quorum left)`, run)
  t.equal((await currentManager()).name, last.name, `calls go to the last manager, ${last.name}`)

  // Once the last manager knows it has no leader, it says so at once, and so does the gateway.
  await waitFor(`${last.name} to say the swarm has no leader`, async () => {
    const r = await runDocker(['service', 'ls'], { host: nodeHost(last), timeoutMs: HANG_MS })
    return /does not have a leader/.test(r.stderr) ? true : undefined
  }, { timeoutMs: 90_000 })
  const ls = await runDocker(['service', 'ls'], { host, timeoutMs: HANG_MS })
  t.not(ls.code, 0, 'docker service ls fails')
  t.notOk(ls.timedOut, 'without hanging')
  t.match(ls.stderr, /The swarm does not have a leader/, 'and says the swarm has no leader')
  t.comment(`docker service ls with no quorum: ${ls.stderr.trim()}`)
  const ps = await runDocker(['ps', '-q'], { host, timeoutMs: HANG_MS })
  t.equal(ps.code, 0, `docker ps on the last manager's engine works (${ps.stderr.trim()})`)
})
