// Rolling upgrade in the lab (issue 13): registration run again with a new server-proxy image
// while issue 13's loop (docker ps, docker service ls, docker exec C; test/lab/command-loop.ts)
// runs through one client-proxy given the three managers' endpoints. The new image is the
// current one with a label added, built on m1 and loaded into the other nodes (nothing can be
// pulled in the lab; one image ID everywhere, as registration pins the image to its ID). No call
// without a body may fail, a failed call with a body must say why; each manager's gap (the time
// its server-proxy endpoint did not answer) and the loop's figures are printed, never asserted.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUSYBOX_IMAGE, LABEL_ARGS, docker, dockerLines, programImage } from '../testbed/index.js'
import { nodeHost, useLab } from '../testbed/lab/index.js'
import { exportedHost, parseClientCommand, registration } from '../e2e/journey-steps.js'
import { describeFailures, describeFigures, figures, gatewayFailures, startLoop } from './command-loop.js'
import { watchEndpoints } from './endpoint-watch.js'
import { logInFromThisMachine, proxyWarnings, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/upgrade-${suffix}`
const password = `correct horse ${suffix}`
const C = `sg-lab-c-${suffix}`
const NEW_IMAGE = `swarmgate-test/server-proxy:upgrade-${suffix}`
const PORT = 2376

t.test('registration with a new server-proxy image while the loop runs: no call without a body fails', async (t) => {
  const m1 = lab.node('m1')
  const registered = await registerOn(m1, swarm, password)
  t.equal(registered.code, 0, registered.stderr)
  const command = parseClientCommand(registered.stdout)
  const login = await logInFromThisMachine({ swarm, password, endpoints: command.endpoints, fingerprint: command.fingerprint, volume: `swarmgate-client-test-${suffix}` })
  t.equal(login.code, 0, login.stderr)
  const host = exportedHost(login.stdout)
  for (const manager of lab.managers) await docker(['run', '-d', ...LABEL_ARGS, '--name', C, BUSYBOX_IMAGE, 'sleep', '3600'], { host: nodeHost(manager) })

  // The new image: built once, the same ID on every manager.
  await docker(['build', '-q', '-t', NEW_IMAGE, '-'], { host: nodeHost(m1), input: `FROM ${programImage('server-proxy')}\nLABEL io.swarmgate.test-upgrade=${suffix}\n` })
  const archive = join(tmpdir(), `swarmgate-upgrade-${suffix}.tar`)
  t.teardown(async () => { await rm(archive, { force: true }) })
  await docker(['save', '-o', archive, NEW_IMAGE], { host: nodeHost(m1) })
  // Every node: a node agent, when registration runs one on every node, runs server-proxy's image too.
  for (const node of lab.lab.nodes.filter((n) => n.name !== 'm1')) await docker(['load', '-q', '-i', archive], { host: nodeHost(node) })
  const newId = await docker(['image', 'inspect', '--format', '{{.Id}}', NEW_IMAGE], { host: nodeHost(m1) })

  const watch = watchEndpoints(lab.managers, PORT)
  const loop = startLoop({ host, container: C, shadow: () => m1 })
  await sleep(2_500)
  const startedAt = Date.now()
  const upgraded = await registration([], { host: nodeHost(m1), serverProxyImage: NEW_IMAGE })
  const upgradeMs = Date.now() - startedAt
  await sleep(3_000)
  const calls = await loop.stop()
  const gaps = await watch.stop()
  t.equal(upgraded.code, 0, upgraded.stderr)
  t.match(upgraded.stderr, /3\/3 managers running server-proxy/, 'registration saw every manager run the new task')

  const event = `rolling upgrade (registration run again, ${Math.round(upgradeMs / 1000)} s)`
  for (const line of describeFigures(figures(event, calls, startedAt))) t.comment(line)
  for (const line of describeFailures(calls, startedAt)) t.comment(`  ${line}`)
  for (const line of await proxyWarnings(swarm, startedAt)) t.comment(`  client-proxy, ${line}`)
  // What the swarm did to server-proxy's tasks meanwhile: the update, and any task it replaced.
  const tasks = await dockerLines(['service', 'ps', '--no-trunc', 'swarmgate-server-proxy', '--format', '{{.Node}} {{.CurrentState}}, desired {{.DesiredState}} {{.Error}}'], { host: nodeHost(m1) })
  for (const line of tasks) t.comment(`  task: ${line}`)
  for (const [node, list] of gaps) {
    t.comment(`${node}'s gap: ${list.length === 0 ? 'none seen' : list.map((g) => `${g.to === undefined ? 'not back' : `${g.to - g.from} ms`} (from ${g.from - startedAt} ms after registration started: ${g.reason})`).join(', ')}`)
  }

  t.same(calls.filter((c) => c.hung).map((c) => `docker ${c.args.join(' ')}`), [], 'no call hung')
  const failed = gatewayFailures(calls)
  t.same(failed.filter((c) => !c.hasBody).map((c) => `docker ${c.args.join(' ')}: ${c.message}`), [], 'no call without a body failed')
  for (const c of failed.filter((c) => c.hasBody)) t.match(c.message, /\S/, `a failed docker ${c.args.join(' ')} says why: ${c.message}`)
  t.ok(calls.filter((c) => c.startedAt >= startedAt).length >= 30, `the loop kept calling during the upgrade (${calls.length} calls)`)
  t.same([...gaps.values()].map((list) => list.filter((g) => g.to === undefined).length), [0, 0, 0], 'every manager\'s endpoint answers again')

  // Every manager runs the new image now.
  for (const manager of lab.managers) {
    const images = await dockerLines(['ps', '--no-trunc', '--filter', 'label=com.docker.swarm.service.name=swarmgate-server-proxy', '--format', '{{.Image}}'], { host: nodeHost(manager) })
    t.same(images, [newId], `${manager.name} runs the new image`)
  }
})
