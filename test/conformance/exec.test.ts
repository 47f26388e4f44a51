/**
 * Conformance (issue #3, item 4): docker exec through the chain. Exec start is a hijacked call
 * whose JSON body arrives with the upgrade, and whose output ends with a half-close: output, exit
 * status, stdin, a terminal, the engine's refusal for a stopped container, and 20 at once.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, docker, useEngine } from '../testbed/index.js'
import { SOCKET_HOST, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { openTerminal } from '../harness/tmux.js'

useEngine(t)

let chain: Chain
let running: string
let stopped: string
t.before(async () => {
  chain = await startChain()
  running = `sg-conf-exec-${randomBytes(4).toString('hex')}`
  stopped = `${running}-stopped`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', running, BUSYBOX_IMAGE, 'sleep', '600'])
  await docker(['create', ...CONTAINER_ARGS, '--name', stopped, BUSYBOX_IMAGE, 'true'])
})
t.teardown(async () => {
  await docker(['rm', '-f', running, stopped]).catch(() => {})
  logsOnFailure(t, chain)
  await chain?.close()
})

t.test('4. docker exec: output and exit status', { timeout: 60_000 }, async (t) => {
  const out = await expectSameAsSocket(t, chain, ['exec', running, 'sh', '-c', 'echo out; echo err >&2'])
  t.equal(out.chain.stdout, 'out\n')
  t.equal(out.chain.stderr, 'err\n')
  const status = await expectSameAsSocket(t, chain, ['exec', running, 'sh', '-c', 'exit 7'])
  t.equal(status.chain.code, 7, 'the exit status of the command')
  await expectSameAsSocket(t, chain, ['exec', running, 'no-such-command'])
  await expectSameAsSocket(t, chain, ['exec', '-u', 'nobody', '-w', '/tmp', '-e', 'A=b', running, 'sh', '-c', 'id -u; pwd; echo $A'])
})

t.test('4. docker exec -i: standard input', { timeout: 60_000 }, async (t) => {
  const cat = await expectSameAsSocket(t, chain, ['exec', '-i', running, 'cat'], { input: 'data' })
  t.equal(cat.chain.stdout, 'data', 'printf data | docker exec -i C cat')
  const wc = await expectSameAsSocket(t, chain, ['exec', '-i', running, 'wc', '-c'], { input: Buffer.alloc(2 * 1024 * 1024, 'x') })
  t.equal(wc.chain.stdout.trim(), String(2 * 1024 * 1024), '2 MiB of stdin arrive whole')
})

t.test('4. docker exec in a stopped container shows the engine\'s 409 text', { timeout: 60_000 }, async (t) => {
  const r = await expectSameAsSocket(t, chain, ['exec', stopped, 'true'])
  t.equal(r.chain.code, 1)
  t.match(r.chain.stderr, /Error response from daemon: Container [0-9a-f]+ is not running/)
})

for (const via of ['chain', 'socket'] as const) {
  t.test(`4. docker exec -it in a terminal (${via})`, { timeout: 60_000 }, async (t) => {
    const term = await openTerminal(['docker', 'exec', '-it', running, 'sh'], { DOCKER_HOST: via === 'chain' ? chain.dockerHost : SOCKET_HOST })
    t.teardown(term.close)
    await term.waitFor(/\/ #\s*$/)
    await term.type('stty size; tty; echo typed-$((6*7))')
    await term.keys('Enter')
    await term.waitFor(/^typed-42$/m)
    const screen = await term.screen()
    t.match(screen, /^40 120$/m, 'the exec sees the terminal size')
    t.match(screen, /^\/dev\/pts\/\d+$/m, 'on a pseudo-terminal')
    await term.resize(90, 25)
    await term.type('stty size')
    await term.keys('Enter')
    await term.waitFor(/^25 90$/m)
    t.pass('a resize reaches the exec')
    await term.type('exit 9')
    await term.keys('Enter')
    t.equal(await term.exitStatus(), 9, 'docker exec -it exits with the shell\'s status')
  })
}

t.test('4. 20 docker exec in parallel', { timeout: 120_000 }, async (t) => {
  const runs = await Promise.all(Array.from({ length: 20 }, async (_, i) =>
    await chain.docker(['exec', '-i', running, 'sh', '-c', `cat; echo " n=${i}"; exit ${i % 4}`], { input: `in-${i}`, timeoutMs: 90_000 })))
  runs.forEach((r, i) => {
    t.same({ stdout: r.stdout, stderr: r.stderr, code: r.code }, { stdout: `in-${i} n=${i}\n`, stderr: '', code: i % 4 }, `exec ${i}: its own input, output and exit status`)
  })
})
