/**
 * Conformance (issue #3, item 3): interactive containers through the chain. `docker run -it`
 * runs in a real terminal (a tmux pane of a fixed size): typing reaches the shell, a resize of the
 * terminal reaches the container (`stty size`), ctrl-p ctrl-q detaches and leaves it running, and
 * `docker attach` takes it up again. `docker run -d` + `docker attach` and `docker start -ai` run
 * without a terminal and are compared with the engine socket. Every terminal scenario runs on the
 * socket as well, so what is asserted is what the engine itself does.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, docker, useEngine } from '../testbed/index.js'
import { SOCKET_HOST, socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { openTerminal } from '../harness/tmux.js'
import { spawnDocker } from '../harness/docker-process.js'

useEngine(t)

let chain: Chain
t.before(async () => { chain = await startChain() })
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
})

const unique = (): string => `sg-conf-tty-${randomBytes(4).toString('hex')}`
/**
 * Why ctrl-p ctrl-q leaves the CLI waiting on any tcp:// DOCKER_HOST, swarmgate or not: the CLI
 * copies the terminal into the connection with io.Copy, which on a TCP connection goes through
 * TCPConn.ReadFrom and comes back with the escape-sequence error wrapped in a *net.OpError
 * ("readfrom tcp ...: read escape sequence"); the CLI's `err.(term.EscapeError)` check then misses
 * the detach and waits for the container to exit. On a unix socket there is no ReadFrom and the
 * check holds. A plain TCP relay in front of the engine socket shows the same (docker -D logs
 * "Error sendStdin: readfrom tcp ...: read escape sequence"). Kept as a todo, not weakened: it
 * passes once the CLI changes. The same chain reached on client-proxy's unix socket (--socket)
 * detaches, and is held to it below.
 */
const TCP_DETACH = 'docker CLI over tcp:// misses its own detach sequence (wrapped EscapeError); see the comment on TCP_DETACH'
const PROMPT = /\/ #\s*$/

for (const via of ['chain', 'chain over its unix socket', 'socket'] as const) {
  t.test(`3. docker run -it in a terminal (${via}): typing, resize, detach, attach`, { timeout: 90_000 }, async (t) => {
    const host = via === 'chain' ? chain.dockerHost : via === 'socket' ? SOCKET_HOST : chain.dockerSocketHost
    const name = unique()
    const run = await openTerminal(['docker', 'run', '-it', '--rm', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh'], { DOCKER_HOST: host })
    t.teardown(run.close)
    t.teardown(async () => { await docker(['rm', '-f', name]).catch(() => {}) })
    await run.waitFor(PROMPT)
    await run.type('stty size; echo typed-$((6*7))')
    await run.keys('Enter')
    await run.waitFor(/^40 120$/m)
    t.pass('the container sees the terminal\'s size (40 rows, 120 columns)')
    await run.waitFor(/^typed-42$/m)
    t.pass('typed input reaches the shell and its output comes back')

    await run.resize(100, 30)
    // The resize travels on its own call (SIGWINCH, then POST /containers/{id}/resize), racing
    // what is typed next: ask again until the new size shows, a bounded number of times.
    let resized = false
    for (let attempt = 0; attempt < 5 && !resized; attempt++) {
      await run.type('stty size')
      await run.keys('Enter')
      resized = await run.waitFor(/^30 100$/m, 2_000).then(() => true, () => false)
    }
    t.ok(resized, 'a resize of the terminal reaches the container')

    await run.keys('C-p', 'C-q')
    const detached = await run.exitStatus(5_000).catch(() => undefined)
    t.equal(detached, 0, 'ctrl-p ctrl-q detaches: the CLI exits 0', via === 'chain' ? { todo: TCP_DETACH } : {})
    t.equal(await docker(['inspect', '-f', '{{.State.Running}}', name]), 'true', 'the container keeps running after the detach')
    // Where the CLI did not exit, the terminal goes away as a user's would; the container stays.
    if (detached === undefined) await run.close()

    const attach = await openTerminal(['docker', 'attach', name], { DOCKER_HOST: host })
    t.teardown(attach.close)
    await attach.keys('Enter')
    await attach.waitFor(PROMPT)
    await attach.type('echo attached-$((2+3))')
    await attach.keys('Enter')
    await attach.waitFor(/^attached-5$/m)
    t.pass('docker attach takes the terminal up again')
    await attach.type('exit 6')
    await attach.keys('Enter')
    t.equal(await attach.exitStatus(), 6, 'docker attach exits with the container\'s status')
  })
}

t.test('3. docker run -d, then docker attach', { timeout: 60_000 }, async (t) => {
  const outcome: Record<string, unknown> = {}
  for (const [via, host] of [['chain', chain.dockerHost], ['socket', SOCKET_HOST]] as const) {
    const name = unique()
    t.teardown(async () => { await docker(['rm', '-f', name]).catch(() => {}) })
    await docker(['run', '-d', '-i', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'read line; echo got:$line; echo done >&2; exit 5'])
    // Stdin stays open until the container has answered: on the engine an attach whose stdin ends
    // ends the whole attach (StdinOnce is false for run -d -i), through the chain or not.
    const attach = spawnDocker(host, ['attach', name])
    attach.child.stdin.write('hello\n')
    const status = await attach.wait(30_000)
    attach.child.stdin.end()
    outcome[via] = { stdout: attach.stdout(), stderr: attach.stderr(), status }
  }
  t.same(outcome.chain, { stdout: 'got:hello\n', stderr: 'done\n', status: { code: 5, signal: null } },
    'stdin reaches the container, stdout and stderr come back apart, attach exits with the container\'s status')
  t.same(outcome.chain, outcome.socket, 'the same as on the socket')
})

t.test('3. docker start -ai', { timeout: 60_000 }, async (t) => {
  const names = { chain: unique(), socket: unique() }
  t.teardown(async () => { await docker(['rm', '-f', names.chain, names.socket]).catch(() => {}) })
  for (const name of Object.values(names)) {
    await docker(['create', '-i', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sh', '-c', 'read line; echo start:$line; exit 4'])
  }
  const chainRun = await chain.docker(['start', '-ai', names.chain], { input: 'x\n', timeoutMs: 30_000 })
  const socketRun = await socketDocker(['start', '-ai', names.socket], { input: 'x\n', timeoutMs: 30_000 })
  t.equal(chainRun.stdout, 'start:x\n')
  t.equal(chainRun.code, 4, 'start -ai exits with the container\'s status')
  t.same(chainRun, socketRun, 'the same as on the socket')
  // Starting it again without input: the container reads EOF at once.
  await expectSameAsSocket(t, chain, ['start', '-ai', names.chain], { input: '', timeoutMs: 30_000 })
})
