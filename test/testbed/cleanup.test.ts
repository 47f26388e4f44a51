import t from 'tap'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE } from './busybox.js'
import { cleanup } from './cleanup.js'
import { docker, dockerLines, runDocker } from './docker.js'
import { LABEL_ARGS, SERVICE_LABEL_ARGS, TEST_LABEL, TEST_LABEL_PAIR } from './labels.js'
import { useEngine } from './suite.js'

useEngine(t)

const suffix = randomBytes(4).toString('hex')
const exists = async (kind: string, name: string): Promise<boolean> => (await runDocker([kind, 'inspect', name])).code === 0

t.test('removes only what carries the test label', async (t) => {
  // Not labelled, so cleanup must leave them; this test removes them itself.
  const network = `swarmgate-unlabelled-${suffix}`
  const volume = `swarmgate-unlabelled-${suffix}`
  t.teardown(async () => {
    await runDocker(['network', 'rm', network])
    await runDocker(['volume', 'rm', volume])
  })
  await docker(['network', 'create', network])
  await docker(['volume', 'create', volume])

  const labelled = `swarmgate-labelled-${suffix}`
  await docker(['network', 'create', '--driver', 'overlay', ...LABEL_ARGS, labelled])
  await docker(['volume', 'create', ...LABEL_ARGS, labelled])
  await docker(['secret', 'create', ...LABEL_ARGS, labelled, '-'], { input: 'not a secret' })
  await docker(['config', 'create', ...LABEL_ARGS, labelled, '-'], { input: 'a config' })
  await docker(['create', '--name', labelled, ...LABEL_ARGS, '-v', `${labelled}:/data`, BUSYBOX_IMAGE, 'sleep', '600'])
  await docker(['service', 'create', '-d', '--no-resolve-image', '--name', labelled, ...SERVICE_LABEL_ARGS,
    '--network', labelled, '--secret', labelled, BUSYBOX_IMAGE, 'sleep', '600'])

  const report = await cleanup()
  // The service's task may have started its own (labelled) container by now, or not yet.
  t.match(report, { services: 1, secrets: 1, configs: 1, networks: 1, volumes: 1 })
  t.ok(report.containers >= 1 && report.containers <= 2, `the labelled container, and the service's task if it had started (${report.containers})`)
  for (const kind of ['service', 'container', 'secret', 'config', 'network', 'volume']) {
    t.notOk(await exists(kind, labelled), `the labelled ${kind} is gone`)
  }
  t.ok(await exists('network', network), 'the unlabelled network survives')
  t.ok(await exists('volume', volume), 'the unlabelled volume survives')
  t.same(await dockerLines(['ps', '-aq', '--filter', `label=${TEST_LABEL_PAIR}`]), [], 'none of this process\'s containers is left')
})

t.test('leaves what a test process that still runs made, removes what a finished one left', async (t) => {
  // pid 1 always runs: its objects stand for those of a test run going on beside this one.
  const running = `swarmgate-running-owner-${suffix}`
  t.teardown(async () => { await runDocker(['network', 'rm', running]) })
  await docker(['network', 'create', '--label', `${TEST_LABEL}=pid-1`, running])
  const finished = await new Promise<number>((resolve) => { const c = spawn('true'); c.on('exit', () => resolve(c.pid as number)) })
  const left = `swarmgate-finished-owner-${suffix}`
  await docker(['network', 'create', '--label', `${TEST_LABEL}=pid-${finished}`, left])

  t.match(await cleanup(), { networks: 1 })
  t.ok(await exists('network', running), 'the network of a running test process survives')
  t.notOk(await exists('network', left), 'the network a finished test process left is gone')
})

t.test('has nothing to do when nothing is labelled', async (t) => {
  t.same(await cleanup(), { services: 0, containers: 0, secrets: 0, configs: 0, networks: 0, volumes: 0 })
})
