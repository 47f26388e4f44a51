import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUSYBOX_IMAGE } from './busybox.js'
import { docker, runDocker } from './docker.js'
import { startRegistry } from './registry.js'
import { useEngine } from './suite.js'

useEngine(t)

t.test('a pushed image can be pulled back, with the account and only with it', async (t) => {
  const registry = await startRegistry()
  t.teardown(registry.stop)
  // A login of its own, so the machine's ~/.docker/config.json is never touched.
  const config = await mkdtemp(join(tmpdir(), 'swarmgate-docker-config-'))
  t.teardown(async () => { await rm(config, { recursive: true, force: true }) })
  const env = { DOCKER_CONFIG: config }
  const image = `${registry.address}/swarmgate-test/busybox:${randomBytes(4).toString('hex')}`
  t.teardown(async () => { await runDocker(['image', 'rm', image]) })

  const wrong = await runDocker(['login', '--username', registry.username, '--password-stdin', registry.address], { env, input: 'wrong password' })
  t.not(wrong.code, 0, 'a wrong password is refused')

  await docker(['login', '--username', registry.username, '--password-stdin', registry.address], { env, input: registry.password })
  await docker(['tag', BUSYBOX_IMAGE, image])
  await docker(['push', image], { env })
  await docker(['image', 'rm', image])
  await docker(['pull', image], { env })
  t.equal(await docker(['image', 'inspect', '--format', '{{.Id}}', image]), await docker(['image', 'inspect', '--format', '{{.Id}}', BUSYBOX_IMAGE]))

  await docker(['logout', registry.address], { env })
  await docker(['image', 'rm', image])
  const anonymous = await runDocker(['pull', image], { env })
  t.not(anonymous.code, 0, 'pulling without logging in is refused')
})

t.test('stop() ends the registry', async (t) => {
  const registry = await startRegistry()
  await registry.stop()
  await t.rejects(fetch(`http://${registry.address}/v2/`), 'nothing answers on its address any more')
})
