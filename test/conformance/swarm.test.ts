/**
 * Conformance (issue #3, item 9): swarm commands through the chain: services (create with
 * replicas, ps, logs, scale, update, rm), node ls, secrets and configs, and a stack deployed from
 * a compose file and removed. Where both ways create objects of their own (services, stacks),
 * their names are put in place of each other before the outputs are compared.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUSYBOX_IMAGE, LABEL_ARGS, SERVICE_LABEL_ARGS, TEST_LABEL, TEST_OWNER, docker, runDocker, useEngine, waitFor } from '../testbed/index.js'
import { socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { expectSameAsSocket, maskIds } from '../harness/compare.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
let chain: Chain
let work: string

t.before(async () => {
  chain = await startChain()
  work = await mkdtemp(join(tmpdir(), 'swarmgate-conformance-swarm-'))
})
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

/** The sorted lines of `text`: task output arrives in no fixed order. */
const sortedLines = (text: string): string => text.split('\n').filter((l) => l !== '').sort().join('\n')

/** Waits until `service` has `n` running tasks. */
async function running (service: string, n: number): Promise<void> {
  await waitFor(`${n} running tasks of ${service}`, async () => {
    const states = (await docker(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', service])).split('\n')
    return states.filter((s) => s.startsWith('Running')).length === n ? true : undefined
  }, { timeoutMs: 60_000, intervalMs: 500 })
}

t.test('9. docker node ls', { timeout: 30_000 }, async (t) => {
  const r = await expectSameAsSocket(t, chain, ['node', 'ls'])
  t.match(r.chain.stdout, /Leader/)
  await expectSameAsSocket(t, chain, ['node', 'inspect', 'self', '--format', '{{.ID}} {{.Status.State}} {{.Spec.Role}}'])
})

t.test('9. docker service create, ps, logs, scale, update, rm', { timeout: 180_000 }, async (t) => {
  const service = `sg-conf-svc-${run}`
  t.teardown(async () => { await runDocker(['service', 'rm', service]) })
  const created = await chain.docker(['service', 'create', '--name', service, '--replicas', '2', ...SERVICE_LABEL_ARGS,
    '--no-resolve-image', '--detach=false', '--stop-grace-period', '1s', '--update-parallelism', '0', BUSYBOX_IMAGE, 'sh', '-c', 'echo task-started; sleep 600'], { timeoutMs: 120_000 })
  t.equal(created.code, 0, `docker service create --replicas 2 through the chain: ${created.stderr}`)
  t.match(created.stdout, /^[0-9a-z]{25}$/m, 'it prints the service id')
  t.match(created.stdout + created.stderr, /verify: Service \S+ converged|Service converged/, 'and follows the service until it converged')
  await running(service, 2)

  await expectSameAsSocket(t, chain, ['service', 'ls', '--filter', `name=${service}`, '--format', '{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}'])
  await expectSameAsSocket(t, chain, ['service', 'inspect', service])
  await expectSameAsSocket(t, chain, ['service', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.Image}} {{.Node}} {{.DesiredState}}', service])
  await waitFor('both tasks to log', async () => (await docker(['service', 'logs', '--raw', service])).split('\n').length >= 2 ? true : undefined, { timeoutMs: 30_000 })
  const logs = await expectSameAsSocket(t, chain, ['service', 'logs', '--no-trunc', service], { normalise: sortedLines, timeoutMs: 30_000 })
  t.equal(logs.chain.stdout.match(/task-started/g)?.length, 2, 'service logs shows both tasks')

  // Only create follows convergence (--detach=false, with its 5 s stability wait); scale and
  // update return at once and the test waits for the tasks itself.
  const scaled = await chain.docker(['service', 'scale', '--detach', `${service}=3`], { timeoutMs: 120_000 })
  t.equal(scaled.code, 0, `docker service scale: ${scaled.stderr}`)
  t.match(scaled.stdout, `${service} scaled to 3`)
  await running(service, 3)

  const updated = await chain.docker(['service', 'update', '--env-add', 'SWARMGATE_CONFORMANCE=updated', '--detach', service], { timeoutMs: 150_000 })
  t.equal(updated.code, 0, `docker service update: ${updated.stderr}`)
  await waitFor(`the update of ${service} to complete`, async () => (await docker(['service', 'inspect', '-f', '{{.UpdateStatus.State}}', service])) === 'completed' ? true : undefined, { timeoutMs: 90_000 })
  t.equal(await docker(['service', 'inspect', '-f', '{{.Spec.TaskTemplate.ContainerSpec.Env}}', service]), '[SWARMGATE_CONFORMANCE=updated]')
  await expectSameAsSocket(t, chain, ['service', 'update', '--replicas', 'x', service])

  const removed = await chain.docker(['service', 'rm', service])
  t.same({ code: removed.code, stdout: removed.stdout }, { code: 0, stdout: `${service}\n` }, 'docker service rm')
  await expectSameAsSocket(t, chain, ['service', 'rm', service])
  await expectSameAsSocket(t, chain, ['service', 'ps', service])
})

for (const kind of ['secret', 'config'] as const) {
  t.test(`9. docker ${kind} create, ls, inspect, rm`, { timeout: 60_000 }, async (t) => {
    const name = `sg-conf-${kind}-${run}`
    t.teardown(async () => { await runDocker([kind, 'rm', name]) })
    const created = await chain.docker([kind, 'create', ...LABEL_ARGS, name, '-'], { input: `${kind} content` })
    t.match(created, { code: 0, stdout: /^[0-9a-z]{25}\n$/ }, `docker ${kind} create from stdin prints the id`)
    await expectSameAsSocket(t, chain, [kind, 'ls', '--filter', `name=${name}`, '--format', '{{.ID}} {{.Name}}'])
    await expectSameAsSocket(t, chain, [kind, 'inspect', name])
    if (kind === 'config') {
      const data = await chain.docker(['config', 'inspect', '--format', '{{json .Spec.Data}}', name])
      t.equal(Buffer.from(JSON.parse(data.stdout) as string, 'base64').toString(), 'config content', 'the content arrived')
    }
    await expectSameAsSocket(t, chain, [kind, 'create', ...LABEL_ARGS, name, '-'], { input: 'again' })
    const removed = await chain.docker([kind, 'rm', name])
    t.same({ code: removed.code, stdout: removed.stdout }, { code: 0, stdout: `${name}\n` }, `docker ${kind} rm`)
    await expectSameAsSocket(t, chain, [kind, 'rm', name])
  })
}

t.test('9. docker stack deploy and stack rm', { timeout: 180_000 }, async (t) => {
  const compose = join(work, 'compose.yml')
  await writeFile(compose, [
    'version: "3.8"',
    'services:',
    '  web:',
    `    image: ${BUSYBOX_IMAGE}`,
    '    command: ["sleep", "600"]',
    `    labels: { ${TEST_LABEL}: ${TEST_OWNER} }`,
    '    stop_grace_period: 1s',
    '    deploy:',
    '      replicas: 1',
    `      labels: { ${TEST_LABEL}: ${TEST_OWNER} }`,
    'networks:',
    '  default:',
    `    labels: { ${TEST_LABEL}: ${TEST_OWNER} }`,
    ''
  ].join('\n'))
  const stacks = { chain: `sg-conf-stack-c-${run}`, socket: `sg-conf-stack-s-${run}` }
  t.teardown(async () => { await runDocker(['stack', 'rm', stacks.chain, stacks.socket]) })
  const asOther = (via: 'chain' | 'socket', text: string): string => maskIds(text.replaceAll(stacks[via], '<stack>'))

  const deployed: Record<string, string> = {}
  for (const via of ['chain', 'socket'] as const) {
    const args = ['stack', 'deploy', '--resolve-image', 'never', '-c', compose, stacks[via]]
    const r = via === 'chain' ? await chain.docker(args, { timeoutMs: 120_000 }) : await socketDocker(args, { timeoutMs: 120_000 })
    t.equal(r.code, 0, `docker stack deploy (${via}): ${r.stderr}`)
    deployed[via] = asOther(via, r.stdout + r.stderr)
  }
  t.equal(deployed.chain, deployed.socket, 'docker stack deploy prints the same')
  t.match(deployed.chain, /Creating service <stack>_web/)
  await running(`${stacks.chain}_web`, 1)

  const ls = await chain.docker(['stack', 'ls', '--format', '{{.Name}} {{.Services}}'])
  t.match(ls.stdout, `${stacks.chain} 1`, 'docker stack ls shows the stack')
  await expectSameAsSocket(t, chain, ['stack', 'services', '--format', '{{.Name}} {{.Mode}} {{.Image}}', stacks.chain])
  await expectSameAsSocket(t, chain, ['stack', 'ps', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.DesiredState}}', stacks.chain])

  const removed: Record<string, string> = {}
  for (const via of ['chain', 'socket'] as const) {
    const r = via === 'chain' ? await chain.docker(['stack', 'rm', stacks[via]]) : await socketDocker(['stack', 'rm', stacks[via]])
    t.equal(r.code, 0, `docker stack rm (${via})`)
    removed[via] = asOther(via, r.stdout + r.stderr)
  }
  t.equal(removed.chain, removed.socket, 'docker stack rm prints the same')
  t.match(removed.chain, /Removing service <stack>_web/)
  // Its task lingers a moment in state Remove; compare once the stack is gone.
  await waitFor('the stack\'s tasks to go', async () => (await runDocker(['stack', 'ps', stacks.chain])).code !== 0 ? true : undefined, { timeoutMs: 30_000 })
  await expectSameAsSocket(t, chain, ['stack', 'ps', stacks.chain])
})
