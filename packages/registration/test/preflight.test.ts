// The checks before registration changes anything, against a fake engine on a unix socket that
// answers /_ping, /info and /swarm as engines in each state do.
import t, { type Test } from 'tap'
import { createServer } from 'node:http'
import { once } from 'node:events'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connectToManager } from '../src/preflight.js'

async function fakeEngine (t: Test, apiVersion: string, swarm: Record<string, unknown>): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/_ping') { res.writeHead(200, { 'api-version': apiVersion }).end('OK'); return }
    if (req.url?.endsWith('/info') === true) { res.end(JSON.stringify({ ID: 'e', Name: 'n', ServerVersion: 'x', Swarm: { NodeID: 'n1', NodeAddr: '203.0.113.1', Error: '', ...swarm } })); return }
    if (req.url?.endsWith('/swarm') === true) { res.end(JSON.stringify({ ID: 'SwarmID42' })); return }
    res.writeHead(404).end('{"message":"not here"}')
  })
  const socket = join(mkdtempSync(join(tmpdir(), 'engine-')), 'docker.sock')
  server.listen(socket)
  await once(server, 'listening')
  t.teardown(() => { server.close() })
  return `unix://${socket}`
}

t.test('a manager of an active swarm passes, with the swarm id', async (t) => {
  const m = await connectToManager(await fakeEngine(t, '1.41', { LocalNodeState: 'active', ControlAvailable: true }), {})
  t.equal(m.swarmId, 'SwarmID42')
  await m.engine.close()
})

t.test('each state that is not a manager fails with what to do', async (t) => {
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ LocalNodeState: 'inactive', ControlAvailable: false }, 'SG_ERR_REGISTRATION_NOT_SWARM', /run docker swarm init first/],
    [{ LocalNodeState: 'pending', ControlAvailable: false }, 'SG_ERR_REGISTRATION_NOT_SWARM', /still joining/],
    [{ LocalNodeState: 'locked', ControlAvailable: false }, 'SG_ERR_REGISTRATION_NOT_SWARM', /docker swarm unlock/],
    [{ LocalNodeState: 'active', ControlAvailable: false }, 'SG_ERR_REGISTRATION_NOT_MANAGER', /worker; run registration on a manager/]
  ]
  for (const [swarm, code, message] of cases) {
    await t.rejects(connectToManager(await fakeEngine(t, '1.41', swarm), {}), { code, message }, String(swarm.LocalNodeState))
  }
})

t.test('an engine without swarm secrets is too old', async (t) => {
  await t.rejects(connectToManager(await fakeEngine(t, '1.24', { LocalNodeState: 'active', ControlAvailable: true }), {}), { code: 'SG_ERR_REGISTRATION_ENGINE_TOO_OLD', message: /API 1.24.*1.25/ })
})

t.test('no engine: says to mount the socket', async (t) => {
  await t.rejects(connectToManager('unix:///nonexistent/docker.sock', {}), { code: 'SG_ERR_REGISTRATION_ENGINE_UNREACHABLE', message: /-v \/var\/run\/docker.sock:\/var\/run\/docker.sock/ })
})
