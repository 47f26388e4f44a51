// Failover when a manager's server-proxy task is killed (issue 13's "failover on connection
// refused"): a client-proxy given every manager's endpoint serves a loop of `docker ps` while the
// server-proxy task on each manager in turn is killed (SIGKILL) and the swarm restarts it. Whatever
// manager the client-proxy was using, one of the kills hit it. Every failed call is printed with
// its message; the longest wait between two answered calls is printed as the figure.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { docker, dockerLines, runDocker, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { exportedHost, parseClientCommand } from '../e2e/journey-steps.js'
import { logInFromThisMachine, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/failover-${suffix}`
const password = `correct horse ${suffix}`
const TASK_FILTER = 'label=com.docker.swarm.service.name=swarmgate-server-proxy'

// The loop: a call every 200 ms, as in the trial; bounded in count and time.
const PACE_MS = 200
const MAX_CALLS = 2000
const MAX_LOOP_MS = 4 * 60_000

interface Call {
  readonly startedAt: number
  readonly endedAt: number
  readonly ok: boolean
  readonly message: string
}

/** Runs `docker ps` through `host` every PACE_MS until `stop()` is called (or the bounds are reached). */
function loop (host: string): { calls: Call[], stop: () => Promise<void> } {
  const calls: Call[] = []
  let stopping = false
  const deadline = Date.now() + MAX_LOOP_MS
  const done = (async () => {
    while (!stopping && calls.length < MAX_CALLS && Date.now() < deadline) {
      const startedAt = Date.now()
      const r = await runDocker(['ps', '-q'], { host, timeoutMs: 60_000 })
      calls.push({ startedAt, endedAt: Date.now(), ok: r.code === 0, message: r.code === 0 ? '' : `exit ${String(r.code)}${r.timedOut ? ' (no answer in 60 s)' : ''}: ${r.stderr.trim()}` })
      await sleep(PACE_MS)
    }
  })()
  return { calls, stop: async () => { stopping = true; await done } }
}

/** The id of the server-proxy task container running on `node`'s own engine, once there is one. */
async function runningTask (node: LabNode, other = ''): Promise<string> {
  return await waitFor(`a running server-proxy task on ${node.name}`, async () => {
    const [id] = await dockerLines(['ps', '-q', '--no-trunc', '--filter', TASK_FILTER, '--filter', 'status=running'], { host: nodeHost(node) })
    return id !== undefined && id !== other ? id : undefined
  }, { timeoutMs: 60_000 })
}

t.test('docker ps through one client-proxy while each manager\'s server-proxy task is killed in turn', async (t) => {
  const registered = await registerOn(lab.node('m1'), swarm, password)
  t.equal(registered.code, 0, registered.stderr)
  const command = parseClientCommand(registered.stdout)
  t.equal(command.endpoints.length, 3, 'the client command lists the three managers')
  const login = await logInFromThisMachine({ swarm, password, endpoints: command.endpoints, fingerprint: command.fingerprint, volume: `swarmgate-client-test-${suffix}` })
  t.equal(login.code, 0, login.stderr)
  const host = exportedHost(login.stdout)
  await docker(['ps', '-q'], { host })

  const running = loop(host)
  const kills: Array<{ node: string, at: number }> = []
  try {
    for (const manager of lab.managers) {
      const task = await runningTask(manager)
      await sleep(1000)
      kills.push({ node: manager.name, at: Date.now() })
      await docker(['kill', task], { host: nodeHost(manager) })
      // The swarm starts a new task after the service's restart delay; the loop goes on meanwhile.
      await runningTask(manager, task)
      await sleep(2000)
    }
  } finally {
    await running.stop()
  }

  const { calls } = running
  const failed = calls.filter((c) => !c.ok)
  let longestGap = 0
  for (let i = 1, lastOk = calls[0]?.endedAt ?? 0; i < calls.length; i++) {
    const call = calls[i] as Call
    if (!call.ok) continue
    longestGap = Math.max(longestGap, call.endedAt - lastOk)
    lastOk = call.endedAt
  }
  t.comment(`${failed.length} of ${calls.length} calls failed while server-proxy was killed on ${kills.map((k) => k.node).join(', ')}; longest wait between two answered calls ${longestGap} ms`)
  for (const call of failed) {
    const after = kills.filter((k) => k.at <= call.startedAt).pop()
    t.comment(`failed ${call.startedAt - (after?.at ?? call.startedAt)} ms after the kill on ${after?.node ?? '(none yet)'}: ${call.message}`)
  }
  t.ok(calls.length > kills.length * 10, `the loop kept calling (${calls.length} calls)`)
  t.same(failed.map((c) => c.message), [], 'no call failed')
})
