/**
 * Conformance (issue #3, item 5): docker logs through the chain. Plain and terminal containers
 * print the same as on the socket; `logs -f` survives a silent gap longer than every keep-alive
 * and idle timer on the way (undici's 4 s, Node's server 5 s) and then shows what comes next; and
 * Ctrl-C on the CLI ends the stream all the way to the engine. The chain's server-proxy talks to
 * the engine through a socket relay (test/harness/socket-relay.ts) so the test can see its
 * engine connections close.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUSYBOX_IMAGE, docker, useEngine, waitFor } from '../testbed/index.js'
import { SOCKET_HOST, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { spawnDocker } from '../harness/docker-process.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'

useEngine(t)

/** Longer than undici's keepAliveTimeout (4 s) and Node's server keepAliveTimeout (5 s). */
const SILENT_GAP_S = 8

let relay: SocketRelay
let chain: Chain
const names: string[] = []
const unique = (): string => { const n = `sg-conf-logs-${randomBytes(4).toString('hex')}`; names.push(n); return n }

t.before(async () => {
  relay = await startSocketRelay()
  chain = await startChain({ engineSocket: relay.path })
})
t.teardown(async () => {
  if (names.length > 0) await docker(['rm', '-f', ...names]).catch(() => {})
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
})

t.test('5. docker logs of a container without a terminal (stdout and stderr apart)', { timeout: 60_000 }, async (t) => {
  const name = unique()
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done'])
  await docker(['wait', name])
  const all = await expectSameAsSocket(t, chain, ['logs', name])
  t.equal(all.chain.stdout, 'out1\nout2\nout3\n')
  t.equal(all.chain.stderr, 'err1\nerr2\nerr3\n')
  await expectSameAsSocket(t, chain, ['logs', '--tail', '2', '--timestamps', name])
  await expectSameAsSocket(t, chain, ['logs', '--details', '--since', '2000-01-01T00:00:00Z', name])
  await expectSameAsSocket(t, chain, ['logs', 'sg-conf-logs-no-such-container'])
})

t.test('5. docker logs of a container with a terminal', { timeout: 60_000 }, async (t) => {
  const name = unique()
  await docker(['run', '-d', '-t', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'echo tty-out; echo tty-err >&2; printf "\\033[1mbold\\033[0m\\n"'])
  await docker(['wait', name])
  const r = await expectSameAsSocket(t, chain, ['logs', name])
  t.equal(r.chain.stdout, 'tty-out\r\ntty-err\r\n\u001b[1mbold\u001b[0m\r\n', 'one raw stream, carriage returns and escapes untouched')
})

t.test(`5. docker logs -f across a ${SILENT_GAP_S} s silent gap, then Ctrl-C ends the upstream stream`, { timeout: 90_000 }, async (t) => {
  const name = unique()
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', `echo before; sleep ${SILENT_GAP_S}; echo after; sleep 600`])
  const viaChain = spawnDocker(chain.dockerHost, ['logs', '-f', name])
  const viaSocket = spawnDocker(SOCKET_HOST, ['logs', '-f', name])
  t.teardown(async () => { await Promise.all([viaChain.stop('SIGKILL'), viaSocket.stop('SIGKILL')]) })
  await viaChain.waitForOutput(/^before\n/)
  const gapStarted = Date.now()
  await viaChain.waitForOutput(/after\n/, (SILENT_GAP_S + 15) * 1000)
  t.ok(Date.now() - gapStarted >= (SILENT_GAP_S - 1) * 1000, `the stream stayed open through ${SILENT_GAP_S} s of silence`)
  await viaSocket.waitForOutput(/after\n/, 5_000)
  t.equal(viaChain.stdout(), 'before\nafter\n', 'what came after the gap arrived')
  t.equal(viaChain.stdout(), viaSocket.stdout(), 'the same as on the socket')
  t.ok(relay.open >= 1, 'the follow stream holds an engine connection')

  const status = await viaChain.stop('SIGINT')
  t.same(status, await viaSocket.stop('SIGINT'), 'Ctrl-C ends the CLI as it does on the socket')
  await waitFor('the engine connection of the follow stream to close', async () => relay.open === 0 ? true : undefined, { timeoutMs: 10_000, intervalMs: 100 })
  t.pass('Ctrl-C on the CLI closed the stream on the engine too')
  await sleep(200)
  const id = await docker(['inspect', '-f', '{{.Id}}', name])
  const calls = chain.server.records().filter((r) => r.msg === 'audit' && r.route === `/containers/${id}/logs`)
  t.match(calls, [{ action: 'container.logs', decision: 'allow', status: 200, clientAborted: true }], 'server-proxy logged the follow call as ended by the client')
})
