/**
 * client-proxy leaves a manager whose server-proxy drains (docs/protocol.md, "Draining"): an
 * answer carrying `X-Swarmgate-Draining: 1` marks that manager unhealthy, so the next calls go to
 * another one at once instead of finding its port refused. On both of client-proxy's paths: the
 * byte relay (its default, relayed-calls.ts) and the careful path (--relay=off, the liveness
 * watch's view of the pool).
 *
 * Two server-proxies (A, B) share one swarm identity in front of the shared engine, each behind a
 * test-owned TCP relay (its network path), and one client-proxy is given both, A first. A kept-alive
 * client connection (the docker CLI's, reused) makes a call, A is sent SIGTERM as the swarm does to
 * a task it replaces, and the connection's next call reaches A during its drain. The call is
 * answered; client-proxy's health endpoint names A unhealthy because it is shutting down; the calls
 * after it, on that client connection and on new ones, are answered by B. Only this file's
 * processes and relays are touched.
 */
import t from 'tap'
import http from 'node:http'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DRAINING_HEADER } from '@swarmgate/core'
import { useEngine } from '../testbed/index.js'
import { waitFor } from '../testbed/wait.js'
import { createTestIdentity, type TestIdentity } from '../fixtures/identity.js'
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import type { TcpRelay } from '../harness/tcp-relay.js'
import { startManagers } from '../harness/managers.js'
import { callOn, clientProxyHealth, type AgentAnswer } from '../harness/client-proxy-calls.js'
import { drainLine } from '../harness/drain-log.js'

useEngine(t)

const SWARM = 'failover/draining'
const ACCOUNT = { name: 'alice', password: 'correct horse battery', role: 'operator' }
const DRAINING = DRAINING_HEADER.toLowerCase()
/** What `docker ps` sends; its route is how each server-proxy's audit lines are counted. */
const CALL = '/v1.41/containers/json?limit=1'
const ROUTE = '/containers/json'
/** Calls after the drained answer, on the kept-alive client connection and on new ones each. */
const AFTER = 5
const WAIT_MS = 20_000

let identity: TestIdentity
let passwordFile: string

t.before(async () => {
  identity = await createTestIdentity(SWARM, [ACCOUNT])
  passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, ACCOUNT.password, { mode: 0o600 })
})
t.teardown(async () => { await identity?.remove() })

/** Docker API calls `server` answered so far (its audit lines). */
function answered (server: ProxyProcess): number {
  return server.records().filter((r) => r.msg === 'audit' && r.route === ROUTE).length
}

for (const relay of [true, false]) {
  const which = relay ? 'the byte relay (client-proxy\'s default)' : 'the careful path (--relay=off)'
  t.test(`${which}: an answer from a draining manager sends the next calls to the other one`, { timeout: 120_000 }, async (t) => {
    const managers = await startManagers(identity, 2)
    const processes: ProxyProcess[] = [...managers.servers]
    const agents: http.Agent[] = []
    t.teardown(async () => {
      if (!t.passing()) t.comment(`last log lines:\n${processes.flatMap((p) => p.lines().slice(-25).map((l) => `${p.name}(${p.port}): ${l}`)).join('\n')}`)
      for (const agent of agents) agent.destroy()
      for (const p of processes) await p.stop()
      await managers.close()
    })
    const [a, b] = managers.servers as [ProxyProcess, ProxyProcess]
    const [pathA, pathB] = managers.paths as [TcpRelay, TcpRelay]
    const client = await startProxyProcess('client-proxy', [
      '--host', '127.0.0.1', '--port', '0', '--swarm', SWARM, '--endpoint', pathA.endpoint, '--endpoint', pathB.endpoint,
      '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile,
      ...(relay ? [] : ['--relay=off'])
    ])
    processes.push(client)
    const base = `http://127.0.0.1:${client.port}`
    const kept = new http.Agent({ keepAlive: true, maxSockets: 1 })
    agents.push(kept)
    await waitFor('client-proxy to hold a token', async () => (await callOn(base, kept, '/_ping')).status === 200 ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })

    const before = await callOn(base, kept, CALL)
    t.equal(before.status, 200, 'a call before the stop')
    t.equal(before.headers[DRAINING], undefined, 'without the draining header')
    await waitFor('A to log it', async () => answered(a) === 1 ? true : undefined, { timeoutMs: WAIT_MS, intervalMs: 50 })
    t.equal(answered(b), 0, 'answered by A, the current manager')

    process.kill(a.pid, 'SIGTERM')
    await waitFor('A\'s drain to begin', async () => drainLine(a, /^draining/), { timeoutMs: WAIT_MS, intervalMs: 50 })
    // A refuses new connections now. Its path holds them unanswered instead, which changes nothing
    // for client-proxy's calls (they must not try A), but keeps its background probe of A (after
    // 250 ms) waiting for its deadline (1 s or more) rather than replacing at once the reason the
    // health endpoint shows. The connections open before stay as they are.
    pathA.target = undefined

    const during = await callOn(base, kept, CALL)
    t.equal(during.status, 200, 'the call on the kept-alive connection during A\'s drain is answered')
    await waitFor('A to log it', async () => answered(a) === 2 ? true : undefined, { timeoutMs: WAIT_MS, intervalMs: 50 })
    t.equal(answered(b), 0, 'by A, draining')
    t.equal(during.headers[DRAINING], '1', 'the draining header reaches the client')
    if (relay) t.equal(during.headers.connection, 'close', 'with Connection: close: the relayed connection, pinned to A, ends after the answer')
    else t.not(during.headers.connection, 'close', 'without Connection: close: client-proxy\'s own connection to the client stays open')

    const state = await clientProxyHealth(base)
    t.equal(state.endpoint, pathB.endpoint, 'client-proxy\'s calls go to B now')
    t.equal(state.endpoints[0]?.endpoint, pathA.endpoint, 'the health answer lists A first')
    t.equal(state.endpoints[0]?.healthy, false, 'A is unhealthy')
    t.match(state.endpoints[0]?.reason, /shutting down/, `with the reason: its server-proxy is shutting down ("${state.endpoints[0]?.reason ?? ''}")`)
    t.equal(state.endpoints[1]?.healthy, true, 'B is healthy')

    const onKept: AgentAnswer[] = []
    for (let i = 0; i < AFTER; i++) onKept.push(await callOn(base, kept, CALL))
    const onNew: AgentAnswer[] = []
    for (let i = 0; i < AFTER; i++) {
      const fresh = new http.Agent({ keepAlive: false })
      agents.push(fresh)
      onNew.push(await callOn(base, fresh, CALL))
    }
    const failed = [...onKept, ...onNew].filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.slice(0, 300)}`)
    t.same(failed, [], `no call after it failed (${2 * AFTER} calls)`)
    const keptPorts = new Set(onKept.map((r) => r.localPort))
    t.equal(keptPorts.size, 1, 'the calls on the kept-alive client connection came on one connection')
    if (relay) t.not([...keptPorts][0], during.localPort, 'a new one: the answer said Connection: close, so the client opened another, as the docker CLI does')
    else t.equal([...keptPorts][0], during.localPort, 'the one that carried the call answered during the drain')
    await waitFor('B to log them', async () => answered(b) === 2 * AFTER ? true : undefined, { timeoutMs: WAIT_MS, intervalMs: 50 })
    t.equal(answered(a), 2, 'every one answered by B, none by A')

    t.equal(await a.exited(), 0, 'A exits once its connections have closed')
    t.match(drainLine(a, /^drained/), { completed: true, announced: 1 }, 'having announced its drain in one answer, the one client-proxy passed on')
  })
}
