// `registration status` on a swarm of three managers and a worker (issue 13, "Operating it"): each
// manager's server-proxy with its state, health, version, open sessions and engine errors, the
// figures asked of each task over the overlay network; an exec held open through one manager is
// that manager's open session; a server-proxy task killed is its manager's last error. With the
// node agents on (the default of a first registration), each node's agent, the worker's included,
// with its state, health and figures, read the same way.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, docker, dockerLines, LABEL_ARGS, programVersion, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { exportedHost, parseClientCommand, registration, type ClientCommand } from '../e2e/journey-steps.js'
import { spawnDocker } from '../harness/docker-process.js'
import { logInFromThisMachine, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/status-${suffix}`
const password = `correct horse ${suffix}`
const VERSION = programVersion('server-proxy')

/** The sections of `status` that list a service's task per node, by their heading. */
const SERVER_PROXIES = 'server-proxy on the managers:'
const AGENTS = 'swarmgate-node-agent on every node:'

/** The lines of one section of `status`'s output, below its heading. */
function section (stdout: string, heading: string): string[] {
  const lines = stdout.split('\n')
  const at = lines.indexOf(heading)
  if (at === -1) throw new Error(`no "${heading}" in:\n${stdout}`)
  const below = lines.slice(at + 1)
  const end = below.findIndex((l) => !l.startsWith('  '))
  return below.slice(0, end === -1 ? below.length : end)
}

/** `registration status` on m1: the lines about `node` in a section (its own, then the indented ones below it). */
async function statusOf (node: LabNode, heading = SERVER_PROXIES): Promise<string[]> {
  const r = await registration(['status'], { host: nodeHost(lab.node('m1')) })
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`)
  const lines = section(r.stdout, heading)
  const at = lines.findIndex((l) => l.startsWith(`  ${node.name} (`))
  if (at === -1) throw new Error(`no line for ${node.name} under "${heading}" in:\n${r.stdout}`)
  const below = lines.slice(at + 1)
  const end = below.findIndex((l) => !l.startsWith('    '))
  return [lines[at] as string, ...below.slice(0, end === -1 ? below.length : end)]
}

/** Waits until `node`'s status lines in a section satisfy `ok`; resolves with them. */
async function statusUntil (node: LabNode, what: string, ok: (lines: string[]) => boolean, heading = SERVER_PROXIES): Promise<string[]> {
  let last: string[] = []
  try {
    return await waitFor(what, async () => { last = await statusOf(node, heading); return ok(last) ? last : undefined }, { timeoutMs: 90_000, intervalMs: 1_000 })
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status of ${node.name}:\n${last.join('\n')}`)
  }
}

const figures = (sessions: number): RegExp => new RegExp(`^    version ${VERSION.replace(/\./g, '\\.')}, started \\d+ (s|min) ago, ${sessions} open sessions?, 0 engine errors$`)

let registered: ClientCommand

t.test('right after registration each manager\'s server-proxy is running, healthy, and gives its own figures', async (t) => {
  const r = await registerOn(lab.node('m1'), swarm, password)
  t.equal(r.code, 0, r.stderr)
  registered = parseClientCommand(r.stdout)
  for (const manager of lab.managers) {
    const lines = await statusUntil(manager, `${manager.name}'s figures`, (l) => l.some((x) => x.startsWith('    version ')))
    t.match(lines[0], new RegExp(`^  ${manager.name} \\(${manager.address.replace(/\./g, '\\.')}:2377, ready, active\\): running \\(healthy\\)$`))
    t.match(lines[1], figures(0), `${manager.name}: version, start, no open session, no engine error`)
    t.equal(lines.length, 2, `${manager.name}: no last error yet`)
  }
  const worker = await registration(['status'], { host: nodeHost(lab.node('m1')) })
  t.notMatch(section(worker.stdout, SERVER_PROXIES).join('\n'), /^ {2}w1 /m, 'the worker runs no server-proxy and is not listed')
})

t.test('each node\'s agent, the worker\'s included, is running, healthy, and gives its own figures', async (t) => {
  for (const node of [...lab.managers, ...lab.workers]) {
    const lines = await statusUntil(node, `${node.name}'s agent figures`, (l) => l.some((x) => x.startsWith('    version ')), AGENTS)
    t.match(lines[0], new RegExp(`^  ${node.name} \\(${node.role}, ${node.address.replace(/\./g, '\\.')}, ready, active\\): running \\(healthy\\)$`))
    t.match(lines[1], figures(0), `${node.name}'s agent: version, start, no open session, no engine error`)
  }
})

t.test('an exec held open through one manager is that manager\'s open session, and only its', { timeout: 240_000 }, async (t) => {
  const m2 = lab.node('m2')
  const login = await logInFromThisMachine({ swarm, password, endpoints: [`${m2.address}:2376`], fingerprint: registered.fingerprint, volume: `swarmgate-client-test-status-${suffix}` })
  t.equal(login.code, 0, login.stderr)
  const host = exportedHost(login.stdout)
  const container = `sg-status-${suffix}`
  await docker(['run', '-d', ...LABEL_ARGS, '--network', 'none', '--name', container, BUSYBOX_IMAGE, 'sleep', '600'], { host })
  const exec = spawnDocker(host, ['exec', '-i', container, 'cat'])
  t.teardown(async () => { exec.child.kill('SIGKILL'); await exec.exited })
  exec.child.stdin.write('ping\n')
  await exec.waitForOutput(/ping/)
  t.match((await statusUntil(m2, 'm2 to count the exec', (l) => figures(1).test(l[1] ?? '')))[1], figures(1), 'm2 has the open exec')
  for (const other of [lab.node('m1'), lab.node('m3')]) t.match((await statusOf(other))[1], figures(0), `${other.name} has none`)
  exec.child.stdin.end()
  t.same(await exec.wait(20_000), { code: 0, signal: null }, 'the exec ended when its input did')
  t.match((await statusUntil(m2, 'm2 to count the exec as ended', (l) => figures(0).test(l[1] ?? '')))[1], figures(0), 'the session is closed')
})

t.test('a server-proxy task killed is its manager\'s last error, and its new task runs', { timeout: 240_000 }, async (t) => {
  const m3 = lab.node('m3')
  const [id] = await dockerLines(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=swarmgate-server-proxy'], { host: nodeHost(m3) })
  t.ok(id, 'm3 runs a server-proxy container')
  await docker(['kill', id as string], { host: nodeHost(m3) })
  const lines = await statusUntil(m3, 'm3\'s last error and its new task', (l) => l.some((x) => x.startsWith('    last error: ')) && l[0]?.endsWith('running (healthy)') === true && l.some((x) => x.startsWith('    version ')))
  t.match(lines.find((x) => x.startsWith('    last error: ')), /^ {4}last error: task: non-zero exit \(137\) \(\d+ (s|min) ago, task [0-9a-z]{12} failed\)$/)
  t.match(lines.find((x) => x.startsWith('    version ')), figures(0), 'the new task gives its figures')
  for (const other of [lab.node('m1'), lab.node('m2')]) t.notOk((await statusOf(other)).some((x) => x.startsWith('    last error: ')), `${other.name} has no last error`)
  t.comment((await registration(['status'], { host: nodeHost(lab.node('m1')) })).stdout)
})
