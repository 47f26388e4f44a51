import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE } from './busybox.js'
import { cleanup } from './cleanup.js'
import { docker, dockerLines, runDocker } from './docker.js'
import { LABEL_ARGS, SERVICE_LABEL_ARGS, TEST_LABEL } from './labels.js'
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
  t.match(report, { services: 1, containers: 1, secrets: 1, configs: 1, networks: 1, volumes: 1 })
  for (const kind of ['service', 'container', 'secret', 'config', 'network', 'volume']) {
    t.notOk(await exists(kind, labelled), `the labelled ${kind} is gone`)
  }
  t.ok(await exists('network', network), 'the unlabelled network survives')
  t.ok(await exists('volume', volume), 'the unlabelled volume survives')
  t.same(await dockerLines(['ps', '-aq', '--filter', `label=${TEST_LABEL}`]), [], 'no labelled container is left')
})

t.test('has nothing to do when nothing is labelled', async (t) => {
  t.same(await cleanup(), { services: 0, containers: 0, secrets: 0, configs: 0, networks: 0, volumes: 0 })
})
