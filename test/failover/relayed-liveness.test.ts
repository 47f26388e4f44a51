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
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { startTcpRelay, type TcpRelay } from '../harness/tcp-relay.js'

useEngine(t)

const SWARM = 'failover/relayed'
const ACCOUNT = { name: 'alice', password: 'correct horse battery', role: 'operator' }
/** Far above any deadline client-proxy has: reaching it is a hang. */
const HANG_MS = 30_000

interface Answer { readonly status: number, readonly body: string }

/** One call on `agent`'s single keep-alive connection (the CLI's connection, reused). */
async function call (base: string, agent: http.Agent, path: string): Promise<Answer> {
  return await new Promise<Answer>((resolve) => {
    const req = http.request(`${base}${path}`, { agent, timeout: HANG_MS }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      res.on('error', (err) => resolve({ status: 0, body: err.message }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${HANG_MS} ms`)))
    req.on('error', (err) => resolve({ status: 0, body: err.message }))
    req.end()
  })
}

t.test('a call on a relayed connection to a manager cut off is seen waiting by the watch and answered by the other manager', async (t) => {
  const identity = await createTestIdentity(SWARM, [ACCOUNT])
  t.teardown(async () => { await identity.remove() })
  const paths: TcpRelay[] = [await startTcpRelay(), await startTcpRelay()]
  const processes: ProxyProcess[] = []
  t.teardown(async () => {
    for (const p of processes) await p.stop()
    for (const p of paths) await p.close()
  })
  const advertised = paths.flatMap((p) => ['--advertise-endpoint', p.endpoint])
  const servers: ProxyProcess[] = []
  for (const path of paths) {
    const server = await startProxyProcess('server-proxy', ['--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, ...advertised])
    processes.push(server)
    servers.push(server)
    path.target = server.port
  }
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, ACCOUNT.password, { mode: 0o600 })
  // The relay is the default: no flag asks for it.
  const client = await startProxyProcess('client-proxy', [
    '--host', '127.0.0.1', '--port', '0', '--swarm', SWARM, ...paths.flatMap((p) => ['--endpoint', p.endpoint]),
    '--fingerprint', identity.fingerprint, '--username', ACCOUNT.name, '--password-file', passwordFile
  ])
  processes.push(client)
  const base = `http://127.0.0.1:${client.port}`
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => { agent.destroy() })
  await waitFor('client-proxy to hold a token', async () => (await call(base, agent, '/_ping')).status === 200 ? true : undefined, { timeoutMs: 15_000, intervalMs: 100 })

  const first = await call(base, agent, '/containers/json')
  t.equal(first.status, 200, 'a call before the cut')
  const relayedOnA = servers[0]?.records().some((r) => r.msg === 'audit' && r.path === 'relay' && r.route === '/containers/json')
  t.ok(relayedOnA, 'it was relayed, to the first manager')

  paths[0]?.blackhole()
  const second = await call(base, agent, '/containers/json')
  t.equal(second.status, 200, `the call on the pinned connection is answered (${second.body.slice(0, 200)})`)
  t.ok(servers[1]?.records().some((r) => r.msg === 'audit' && r.route === '/containers/json'), 'by the other manager')
  // The watch's warning when a manager misses its liveness deadline names the calls waiting on it.
  const missed = client.records().find((r) => r.module === 'liveness-watch' && r.endpoint === paths[0]?.endpoint && typeof r.waiting === 'number')
  t.ok(missed !== undefined, 'the watch found the first manager silent')
  t.ok(Number(missed?.waiting) >= 1, `with the relayed call waiting (waiting: ${String(missed?.waiting)}), not by the heartbeat alone`)
})
