/**
 * Conformance (issue #3, item 6): the long-lived streams that may stay quiet: docker events
 * across a silent gap longer than every keep-alive and idle timer on the way, docker stats
 * (streaming and --no-stream), and docker wait, which holds its answer until the container exits.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUSYBOX_IMAGE, TEST_LABEL, docker, useEngine } from '../testbed/index.js'
import { SOCKET_HOST, socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { spawnDocker } from '../harness/docker-process.js'

useEngine(t)

/** Longer than undici's keepAliveTimeout (4 s) and Node's server keepAliveTimeout (5 s). */
const SILENT_GAP_MS = 7_000

let chain: Chain
let sleeper: string
const names: string[] = []
const unique = (): string => { const n = `sg-conf-ev-${randomBytes(4).toString('hex')}`; names.push(n); return n }

t.before(async () => {
  chain = await startChain()
  sleeper = unique()
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', sleeper, BUSYBOX_IMAGE, 'sleep', '600'])
})
t.teardown(async () => {
  if (names.length > 0) await docker(['rm', '-f', ...names]).catch(() => {})
  logsOnFailure(t, chain)
  await chain?.close()
})

t.test('6. docker events across a silent gap', { timeout: 60_000 }, async (t) => {
  const marker = unique()
  const args = ['events', '--filter', `label=${TEST_LABEL}`, '--filter', `container=${marker}`, '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}']
  const viaChain = spawnDocker(chain.dockerHost, args)
  const viaSocket = spawnDocker(SOCKET_HOST, args)
  t.teardown(async () => { await Promise.all([viaChain.stop('SIGKILL'), viaSocket.stop('SIGKILL')]) })
  // Nothing matches the filter for longer than the idle timers, then a container comes and goes.
  await sleep(SILENT_GAP_MS)
  t.equal(viaChain.child.exitCode, null, 'the event stream is still open after the silence')
  await docker(['create', ...CONTAINER_ARGS, '--name', marker, BUSYBOX_IMAGE, 'true'])
  await docker(['rm', marker])
  await viaChain.waitForOutput(/destroy/, 10_000)
  await viaSocket.waitForOutput(/destroy/, 10_000)
  t.equal(viaChain.stdout(), `container create ${marker}\ncontainer destroy ${marker}\n`, 'the events after the gap arrive')
  t.equal(viaChain.stdout(), viaSocket.stdout(), 'the same as on the socket')
  t.same(await viaChain.stop('SIGINT'), await viaSocket.stop('SIGINT'), 'Ctrl-C ends it as on the socket')
})

t.test('6. docker events --since/--until (a bounded stream that ends by itself)', { timeout: 60_000 }, async (t) => {
  const since = new Date(Date.now() - 60_000).toISOString()
  const until = new Date().toISOString()
  await expectSameAsSocket(t, chain, ['events', '--since', since, '--until', until, '--filter', `container=${sleeper}`, '--format', '{{.Type}} {{.Action}}'])
})

t.test('6. docker stats --no-stream and docker stats', { timeout: 60_000 }, async (t) => {
  const once = await expectSameAsSocket(t, chain, ['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', sleeper])
  t.equal(once.chain.stdout, `${sleeper} 1\n`)
  await expectSameAsSocket(t, chain, ['stats', '--no-stream', 'sg-conf-ev-no-such-container'])

  const stream = spawnDocker(chain.dockerHost, ['stats', '--format', 'stat {{.Name}}', sleeper])
  t.teardown(async () => { await stream.stop('SIGKILL') })
  // Stats are sent once a second: three of them show the stream goes on.
  await stream.waitForOutput(new RegExp(`(stat ${sleeper}[^]*){3}`), 20_000)
  t.pass('docker stats keeps streaming')
  // docker stats without a terminal ignores SIGINT and SIGTERM, on the socket too.
  await stream.stop('SIGKILL')
})

t.test('6. docker wait', { timeout: 60_000 }, async (t) => {
  const names2 = { chain: unique(), socket: unique() }
  for (const name of Object.values(names2)) {
    await docker(['run', '-d', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'sleep 3; exit 5'])
  }
  const [viaChain, viaSocket] = await Promise.all([
    chain.docker(['wait', names2.chain], { timeoutMs: 30_000 }),
    socketDocker(['wait', names2.socket], { timeoutMs: 30_000 })
  ])
  t.equal(viaChain.stdout, '5\n', 'docker wait prints the exit status once the container exits')
  t.same(viaChain, viaSocket, 'the same as on the socket')
  await expectSameAsSocket(t, chain, ['wait', names2.chain], { timeoutMs: 30_000 })
  await expectSameAsSocket(t, chain, ['wait', 'sg-conf-ev-no-such-container'])
})
