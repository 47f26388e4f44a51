/**
 * Conformance (issue #3, item 8): the everyday container and system commands through the chain:
 * commit, top, diff, port, rename, update, inspect, rm, system df, system prune -f. Prune is
 * limited by a label only this file's objects carry, because the engine is shared.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, LABEL_ARGS, TEST_LABEL, docker, runDocker, useEngine } from '../testbed/index.js'
import { socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket, maskIds } from '../harness/compare.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
const PRUNE_LABEL = `${TEST_LABEL}.prune-run=${run}`

let chain: Chain
let box: string
const names: string[] = []
const images: string[] = []
const unique = (what: string): string => { const n = `sg-conf-admin-${what}-${run}`; names.push(n); return n }

t.before(async () => {
  chain = await startChain()
  box = unique('box')
  await docker(['run', '-d', ...LABEL_ARGS, '--name', box, '-p', '127.0.0.1::8080', '-p', '127.0.0.1::9090/udp', BUSYBOX_IMAGE,
    'sh', '-c', 'mkdir /data; echo marked > /data/marker; rm /bin/yes; sleep 600'])
  // The commands below read the container's changes; let the shell make them first.
  for (let i = 0; i < 50 && (await runDocker(['exec', box, 'test', '-f', '/data/marker'])).code !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
})
t.teardown(async () => {
  await runDocker(['rm', '-f', ...names])
  if (images.length > 0) await runDocker(['rmi', '-f', ...images])
  logsOnFailure(t, chain)
  await chain?.close()
})

t.test('8. docker inspect, top, diff, port', { timeout: 60_000 }, async (t) => {
  await expectSameAsSocket(t, chain, ['inspect', box])
  await expectSameAsSocket(t, chain, ['container', 'inspect', '--size', '--format', '{{.Name}} {{.SizeRw}} {{.State.Status}}', box])
  await expectSameAsSocket(t, chain, ['inspect', 'sg-conf-admin-no-such-object'])
  // ps options: the default columns include CPU use, which moves between two calls.
  const top = await expectSameAsSocket(t, chain, ['top', box, '-o', 'pid,ppid,user,args'])
  t.match(top.chain.stdout, /sleep 600/)
  // The engine lists a container's changes in no fixed order (two calls on the socket differ too).
  const diff = await expectSameAsSocket(t, chain, ['diff', box], { normalise: (text) => text.split('\n').sort().join('\n') })
  t.match(diff.chain.stdout, /^D \/bin\/yes$/m)
  t.match(diff.chain.stdout, /^A \/data\/marker$/m)
  const port = await expectSameAsSocket(t, chain, ['port', box])
  t.match(port.chain.stdout, /^8080\/tcp -> 127\.0\.0\.1:\d+$/m)
  await expectSameAsSocket(t, chain, ['port', box, '9090/udp'])
  await expectSameAsSocket(t, chain, ['port', box, '1234'])
})

t.test('8. docker commit', { timeout: 60_000 }, async (t) => {
  const tag = `swarmgate-test/conformance-commit:${run}`
  images.push(tag)
  const viaChain = await chain.docker(['commit', '-c', `LABEL ${TEST_LABEL}=true`, '-m', 'through the chain', box, tag])
  t.match(viaChain, { code: 0, stdout: /^sha256:[0-9a-f]{64}\n$/, stderr: '' }, 'docker commit prints the new image id')
  const ran = await chain.docker(['run', '--rm', ...CONTAINER_ARGS, tag, 'cat', '/data/marker'])
  t.equal(ran.stdout, 'marked\n', 'the committed image holds the container\'s changes')
  t.equal(await docker(['image', 'inspect', '-f', '{{.Comment}}', tag]), 'through the chain')
  await expectSameAsSocket(t, chain, ['commit', 'sg-conf-admin-no-such-object', tag])
})

t.test('8. docker rename and docker update', { timeout: 60_000 }, async (t) => {
  const before = unique('rename-me')
  const after = unique('renamed')
  await docker(['create', ...CONTAINER_ARGS, '--name', before, BUSYBOX_IMAGE, 'true'])
  const renamed = await chain.docker(['rename', before, after])
  t.match(renamed, { code: 0, stdout: '', stderr: '' }, 'docker rename through the chain')
  t.equal(await docker(['inspect', '-f', '{{.Name}}', after]), `/${after}`)
  await expectSameAsSocket(t, chain, ['rename', 'sg-conf-admin-no-such-object', 'sg-conf-admin-whatever'])
  await expectSameAsSocket(t, chain, ['rename', after, box])

  const updated = await expectSameAsSocket(t, chain, ['update', '--cpu-shares', '512', '--restart', 'on-failure:3', box])
  t.equal(updated.chain.stdout, `${box}\n`)
  t.equal(await docker(['inspect', '-f', '{{.HostConfig.CpuShares}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', box]), '512 on-failure:3')
  await expectSameAsSocket(t, chain, ['update', '--restart', 'no-such-policy', box])
})

t.test('8. docker rm', { timeout: 60_000 }, async (t) => {
  const doomed = { chain: unique('rm-chain'), socket: unique('rm-socket') }
  for (const name of Object.values(doomed)) await docker(['run', '-d', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sleep', '600'])
  const refused = await expectSameAsSocket(t, chain, ['rm', doomed.chain], { normalise: maskIds })
  t.match(refused.chain.stderr, /Error response from daemon: .*cannot remove .*running container/i, 'a running container is not removed without -f')
  const viaChain = await chain.docker(['rm', '-f', doomed.chain])
  const viaSocket = await socketDocker(['rm', '-f', doomed.socket])
  t.same({ ...viaChain, stdout: viaChain.stdout.replace(doomed.chain, '<name>') }, { ...viaSocket, stdout: viaSocket.stdout.replace(doomed.socket, '<name>') }, 'docker rm -f prints the same')
  t.equal((await runDocker(['inspect', doomed.chain])).code, 1, 'the container is gone')
  await expectSameAsSocket(t, chain, ['rm', 'sg-conf-admin-no-such-object'])
})

t.test('8. docker system df', { timeout: 60_000 }, async (t) => {
  await expectSameAsSocket(t, chain, ['system', 'df', '--format', '{{.Type}}'])
  // Other work on the engine can change the numbers between the two calls: a few tries.
  let last: { chain: string, socket: string } = { chain: '', socket: '' }
  for (let i = 0; i < 3 && (last.chain === '' || last.chain !== last.socket); i++) {
    const [a, b] = [await chain.docker(['system', 'df']), await socketDocker(['system', 'df'])]
    last = { chain: `${String(a.code)}\n${a.stdout}${a.stderr}`, socket: `${String(b.code)}\n${b.stdout}${b.stderr}` }
  }
  t.equal(last.chain, last.socket, 'docker system df prints the same')
})

t.test('8. docker system prune -f', { timeout: 90_000 }, async (t) => {
  const outputs: Record<string, string> = {}
  for (const via of ['chain', 'socket'] as const) {
    const stopped = unique(`prune-${via}`)
    const network = `sg-conf-admin-prune-${via}-${run}`
    await docker(['create', ...CONTAINER_ARGS, '--label', PRUNE_LABEL, '--name', stopped, BUSYBOX_IMAGE, 'true'])
    await docker(['network', 'create', ...LABEL_ARGS, '--label', PRUNE_LABEL, network])
    const id = await docker(['inspect', '-f', '{{.Id}}', stopped])
    const args = ['system', 'prune', '-f', '--filter', `label=${PRUNE_LABEL}`]
    const r = via === 'chain' ? await chain.docker(args) : await socketDocker(args)
    t.equal(r.code, 0, `docker system prune -f (${via})`)
    t.match(r.stdout, id, `the stopped container was pruned (${via})`)
    t.match(r.stdout, network, `the unused network was pruned (${via})`)
    outputs[via] = `${r.stdout.replace(id, '<container>').replace(network, '<network>')}${r.stderr}`
    t.equal((await runDocker(['network', 'inspect', network])).code, 1, `the network is gone (${via})`)
  }
  t.equal(outputs.chain, outputs.socket, 'docker system prune prints the same')
  t.equal((await chain.docker(['system', 'prune', '-f', '--filter', `label=${PRUNE_LABEL}`])).stdout, 'Total reclaimed space: 0B\n', 'nothing left to prune')
})
