/**
 * The liveness watch sees calls on relayed connections (issue 14: the relay is client-proxy's
 * default). A docker CLI connection is pinned to one TLS connection to the current manager; when
 * that manager is cut off the network (its packets vanish, nothing is reset), a call sent on the
 * pinned connection must make the watch suspect the manager as a call through the pool does, ask
 * it over a fresh connection, find it lost, and the call (a read) is sent to the other manager.
 * Without the relay's report of the call, only the heartbeat would find the manager, with no call
 * waiting: the warning's `waiting` count tells the two apart, no timing is asserted.
 *
 * Two server-proxies share one swarm identity in front of the shared engine, each behind a
 * test-owned TCP relay (its network path); only this file's processes and relays are touched.
 */
import t from 'tap'
import http from 'node:http'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { useEngine } from '../testbed/index.js'
import { waitFor } from '../testbed/wait.js'
import { createTestIdentity } from '../fixtures/identity.js'
import { loggedRecord, startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { startManagers } from '../harness/managers.js'
import { callOn } from '../harness/client-proxy-calls.js'

useEngine(t)

const SWARM = 'failover/relayed'
const ACCOUNT = { name: 'alice', password: 'correct horse battery', role: 'operator' }

t.test('a call on a relayed connection to a manager cut off is seen waiting by the watch and answered by the other manager', async (t) => {
  const identity = await createTestIdentity(SWARM, [ACCOUNT])
  t.teardown(async () => { await identity.remove() })
  const { paths, servers, close } = await startManagers(identity, 2)
  t.teardown(close)
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, ACCOUNT.password, { mode: 0o600 })
  // The relay is the default: no flag asks for it.
  const client = await startProxyProcess('client-proxy', [
    '--host', '127.0.0.1', '--port', '0', '--swarm', SWARM, ...paths.flatMap((p) => ['--endpoint', p.endpoint]),
    '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile
  ])
  t.teardown(client.stop)
  const base = `http://127.0.0.1:${client.port}`
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => { agent.destroy() })
  await waitFor('client-proxy to hold a token', async () => (await callOn(base, agent, '/_ping')).status === 200 ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })

  const first = await callOn(base, agent, '/containers/json')
  t.equal(first.status, 200, 'a call before the cut')
  const [a, b] = servers as [ProxyProcess, ProxyProcess]
  t.ok(await loggedRecord(a, (r) => r.msg === 'audit' && r.path === 'relay' && r.route === '/containers/json'), 'it was relayed, to the first manager')

  paths[0]?.blackhole()
  const second = await callOn(base, agent, '/containers/json')
  t.equal(second.status, 200, `the call on the pinned connection is answered (${second.body.slice(0, 200)})`)
  t.ok(await loggedRecord(b, (r) => r.msg === 'audit' && r.route === '/containers/json'), 'by the other manager')
  // The watch's warning when a manager misses its liveness deadline names the calls waiting on it.
  const missed = await loggedRecord(client, (r) => r.module === 'liveness-watch' && r.endpoint === paths[0]?.endpoint && typeof r.waiting === 'number')
  t.ok(missed !== undefined, 'the watch found the first manager silent')
  t.ok(Number(missed?.waiting) >= 1, `with the relayed call waiting (waiting: ${String(missed?.waiting)}), not by the heartbeat alone`)
})
