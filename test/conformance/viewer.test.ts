/**
 * Conformance as a viewer (issue 10): the docker CLI through the chain, logged in with a viewer
 * account. The read-only commands print and exit as on the engine socket; each command that
 * changes state, enters a container or exports files or images prints swarmgate's refusal as a
 * daemon error, exits non-zero, and leaves the engine as it was.
 */
import t, { type Test } from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUSYBOX_IMAGE, SERVICE_LABEL_ARGS, TEST_LABEL, docker, runDocker, useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket, maskIds } from '../harness/compare.js'
import { spawnDocker } from '../harness/docker-process.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
let chain: Chain
let work: string
const box = `sg-conf-viewer-${run}`
const service = `sg-conf-viewer-svc-${run}`

t.before(async () => {
  chain = await startChain({ role: 'viewer' })
  work = await mkdtemp(join(tmpdir(), 'swarmgate-conformance-viewer-'))
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', box, BUSYBOX_IMAGE, 'sh', '-c', 'echo started; mkdir /data; echo x > /data/f; while true; do sleep 1; echo tick; done'])
  await docker(['service', 'create', '--detach', '--name', service, ...SERVICE_LABEL_ARGS, '--no-resolve-image', '--replicas', '0', BUSYBOX_IMAGE, 'sleep', '600'])
})
t.teardown(async () => {
  await runDocker(['service', 'rm', service])
  logsOnFailure(t, chain)
  await chain?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

const sortedLines = (text: string): string => text.split('\n').sort().join('\n')

t.test('viewer: the read-only commands print and exit as on the socket', { timeout: 120_000 }, async (t) => {
  await expectSameAsSocket(t, chain, ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'])
  await expectSameAsSocket(t, chain, ['info', '--format', '{{.Name}} {{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'])
  await expectSameAsSocket(t, chain, ['ps', '-a', '--filter', `name=${box}`, '--format', '{{.ID}} {{.Names}} {{.Image}}'])
  await expectSameAsSocket(t, chain, ['inspect', box])
  await expectSameAsSocket(t, chain, ['logs', '--tail', '1', '--since', '1970-01-01T00:00:00Z', '--until', '2000-01-01T00:00:00Z', box])
  const logs = await chain.docker(['logs', box])
  t.match(logs, { code: 0, stdout: /^started\n/ }, 'docker logs')
  await expectSameAsSocket(t, chain, ['top', box, '-o', 'pid,args'])
  await expectSameAsSocket(t, chain, ['diff', box], { normalise: sortedLines })
  const stats = await chain.docker(['stats', '--no-stream', '--format', '{{.Name}}', box])
  t.match(stats, { code: 0, stdout: `${box}\n` }, 'docker stats --no-stream')
  const df = await chain.docker(['system', 'df'])
  t.match(df, { code: 0, stdout: /^TYPE\s+TOTAL/ }, 'docker system df')
  await expectSameAsSocket(t, chain, ['image', 'ls', BUSYBOX_IMAGE, '--format', '{{.ID}} {{.Repository}}'])
  await expectSameAsSocket(t, chain, ['service', 'ls', '--filter', `name=${service}`, '--format', '{{.Name}} {{.Replicas}}'])
  await expectSameAsSocket(t, chain, ['service', 'ps', service])
  await expectSameAsSocket(t, chain, ['node', 'ls', '--format', '{{.ID}} {{.ManagerStatus}}'])
  const since = Math.floor(Date.now() / 1000) - 600
  await expectSameAsSocket(t, chain, ['events', '--since', String(since), '--until', String(since + 1), '--filter', `label=${TEST_LABEL}`], { normalise: maskIds })
})

t.test('viewer: docker logs -f and events follow', { timeout: 60_000 }, async (t) => {
  const follow = spawnDocker(chain.dockerHost, ['logs', '-f', '--tail', '0', box])
  await follow.waitForOutput(/tick\n/, 10_000)
  await follow.stop('SIGINT')
  t.pass('docker logs -f streamed the lines the container wrote after it started')
  const events = spawnDocker(chain.dockerHost, ['events', '--filter', `container=${box}`, '--format', '{{.Action}}'])
  await new Promise((resolve) => setTimeout(resolve, 500))
  await docker(['exec', box, 'true'])
  await events.waitForOutput(/exec_die|exec_start/, 10_000)
  await events.stop('SIGINT')
  t.pass('docker events streamed the owner\'s exec')
})

/** A refused command: the CLI prints the refusal as the daemon's error and exits non-zero. */
async function expectRefusedCommand (t: Test, args: readonly string[], opts: { input?: string, refusal?: RegExp } = {}): Promise<void> {
  const r = await chain.docker(args, { input: opts.input, timeoutMs: 30_000 })
  const what = `docker ${args.join(' ')}`
  t.not(r.code, 0, `${what} exits non-zero`)
  t.match(r.stderr, opts.refusal ?? /Error response from daemon: swarmgate: denied: viewer may not .+ \(rule [a-z-]+\)/, `${what} prints the refusal (${r.stderr.trim()})`)
}

t.test('viewer: commands that change state, enter a container or export are refused', { timeout: 120_000 }, async (t) => {
  const before = (await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}`])).split('\n').sort()
  await expectRefusedCommand(t, ['run', '--rm', ...CONTAINER_ARGS, '--name', `sg-conf-viewer-run-${run}`, BUSYBOX_IMAGE, 'true'])
  await expectRefusedCommand(t, ['create', ...CONTAINER_ARGS, BUSYBOX_IMAGE, 'true'])
  await expectRefusedCommand(t, ['exec', box, 'true'])
  await expectRefusedCommand(t, ['exec', '-i', box, 'cat'], { input: 'x' })
  // attach is refused at the upgrade; a CLI that reads no body from a non-101 answer prints its status.
  await expectRefusedCommand(t, ['attach', '--no-stdin', box], { refusal: /swarmgate: denied: viewer may not|unable to upgrade to tcp, received 403/ })
  // cp first stats the path with a HEAD, whose refusal has no body to print.
  await expectRefusedCommand(t, ['cp', `${box}:/data/f`, join(work, 'f')], { refusal: /swarmgate: denied: viewer may not|Forbidden|403/ })
  await writeFile(join(work, 'up.txt'), 'up')
  await expectRefusedCommand(t, ['cp', join(work, 'up.txt'), `${box}:/data/up.txt`], { refusal: /swarmgate: denied: viewer may not|Forbidden|403/ })
  await expectRefusedCommand(t, ['export', '-o', join(work, 'export.tar'), box])
  await expectRefusedCommand(t, ['save', '-o', join(work, 'save.tar'), BUSYBOX_IMAGE])
  await expectRefusedCommand(t, ['rm', '-f', box])
  await expectRefusedCommand(t, ['kill', box])
  await expectRefusedCommand(t, ['tag', BUSYBOX_IMAGE, `swarmgate-test/viewer-tag:${run}`])
  await expectRefusedCommand(t, ['service', 'create', '--name', `sg-conf-viewer-svc2-${run}`, ...SERVICE_LABEL_ARGS, '--no-resolve-image', '--detach', BUSYBOX_IMAGE, 'true'])
  await expectRefusedCommand(t, ['service', 'scale', '--detach', `${service}=1`])
  await expectRefusedCommand(t, ['swarm', 'join-token', 'worker'])
  await expectRefusedCommand(t, ['swarm', 'join-token', '-q', 'manager'])
  await expectRefusedCommand(t, ['volume', 'create', '--label', `${TEST_LABEL}=viewer`, `sg-conf-viewer-vol-${run}`])
  t.same((await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${TEST_LABEL}`])).split('\n').sort(), before, 'no container was created or removed')
  t.equal(await docker(['inspect', '-f', '{{.State.Running}}', box]), 'true', 'the container still runs')
  t.equal(await docker(['service', 'inspect', '-f', '{{.Spec.Mode.Replicated.Replicas}}', service]), '0', 'the service was not scaled')
  t.equal((await runDocker(['volume', 'inspect', `sg-conf-viewer-vol-${run}`])).code, 1, 'no volume was created')
  t.equal((await runDocker(['image', 'inspect', `swarmgate-test/viewer-tag:${run}`])).code, 1, 'no tag was added')
})
