// Failover when a manager's server-proxy task is killed (issue 13's "failover on connection
// refused"): a client-proxy given every manager's endpoint serves issue 13's loop (docker ps,
// docker service ls, docker exec C; test/lab/command-loop.ts) while the server-proxy task on each
// manager in turn is killed (SIGKILL) and the swarm restarts it. Whatever manager the client-proxy
// was using, one of the kills hit it. Failed calls are printed with their messages and the loop's
// figures for each kill (docs/failover.md), never asserted.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { BUSYBOX_IMAGE, LABEL_ARGS, docker, dockerLines, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { exportedHost, parseClientCommand } from '../e2e/journey-steps.js'
import { describeFailures, describeFigures, figures, gatewayFailures, startLoop, type LoopCall } from './command-loop.js'
import { logInFromThisMachine, nodeOf, proxyHealth, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/failover-${suffix}`
const password = `correct horse ${suffix}`
const TASK_FILTER = 'label=com.docker.swarm.service.name=swarmgate-server-proxy'
const C = `sg-lab-c-${suffix}`

/** The id of the server-proxy task container running on `node`'s own engine, once there is one. */
async function runningTask (node: LabNode, other = ''): Promise<string> {
  return await waitFor(`a running server-proxy task on ${node.name}`, async () => {
    const [id] = await dockerLines(['ps', '-q', '--no-trunc', '--filter', TASK_FILTER, '--filter', 'status=running'], { host: nodeHost(node) })
    return id !== undefined && id !== other ? id : undefined
  }, { timeoutMs: 60_000 })
}

t.test('issue 13\'s loop through one client-proxy while each manager\'s server-proxy task is killed in turn', async (t) => {
  // Failover is the managers' matter: no node agents (every-node.test.ts has them), so registration
  // waits for no agent task on the four nodes.
  const registered = await registerOn(lab.node('m1'), swarm, password, ['--node-agents', 'off'])
  t.equal(registered.code, 0, registered.stderr)
  const command = parseClientCommand(registered.stdout)
  t.equal(command.endpoints.length, 3, 'the client command lists the three managers')
  const login = await logInFromThisMachine({ swarm, password, endpoints: command.endpoints, fingerprint: command.fingerprint, volume: `swarmgate-client-test-${suffix}` })
  t.equal(login.code, 0, login.stderr)
  const host = exportedHost(login.stdout)
  for (const manager of lab.managers) await docker(['run', '-d', ...LABEL_ARGS, '--name', C, BUSYBOX_IMAGE, 'sleep', '3600'], { host: nodeHost(manager) })

  // The shadow: a manager other than the one whose task is being killed.
  let killing: LabNode | undefined
  const running = startLoop({ host, container: C, shadow: () => lab.managers.find((m) => m !== killing) })
  const kills: Array<{ node: string, at: number, current: boolean }> = []
  let calls: LoopCall[] = []
  try {
    for (const manager of lab.managers) {
      const task = await runningTask(manager)
      await sleep(1000)
      const current = nodeOf(lab.managers, (await proxyHealth(host)).endpoint).name === manager.name
      killing = manager
      kills.push({ node: manager.name, at: Date.now(), current })
      await docker(['kill', task], { host: nodeHost(manager) })
      // The swarm starts a new task after the service's restart delay; the loop goes on meanwhile.
      await runningTask(manager, task)
      await sleep(2000)
    }
  } finally {
    killing = undefined
    calls = await running.stop()
  }

  for (const [i, kill] of kills.entries()) {
    const until = kills[i + 1]?.at ?? Infinity
    const during = calls.filter((c) => c.startedAt >= kill.at - 2_000 && c.startedAt < until)
    for (const line of describeFigures(figures(`server-proxy task killed on ${kill.node}${kill.current ? ' (the manager in use)' : ''}`, during, kill.at))) t.comment(line)
    for (const line of describeFailures(during.filter((c) => c.endedAt >= kill.at), kill.at)) t.comment(`  ${line}`)
  }
  t.ok(calls.length > kills.length * 10, `the loop kept calling (${calls.length} calls)`)
  t.same(calls.filter((c) => c.hung).map((c) => `docker ${c.args.join(' ')}`), [], 'no call hung')
  const failed = gatewayFailures(calls)
  t.same(failed.filter((c) => !c.hasBody).map((c) => `docker ${c.args.join(' ')}: ${c.message}`), [], 'no call without a body failed')
  for (const c of failed.filter((c) => c.hasBody)) t.match(c.message, /\S/, `a failed docker ${c.args.join(' ')} says why: ${c.message}`)
})
