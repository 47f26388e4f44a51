// Calls for one node, without a lab (docs/protocol.md, "Every node"): a manager's server-proxy
// refuses a node call without a valid token before asking anything of its engine, names a node the
// swarm does not have, and says when a node has no agent; a node agent (--node-agent, given only
// the public half of the signing keys) refuses calls without a valid token, serves none of the
// token service, and forwards a valid call to its engine without the Authorization header.
// test/lab/every-node.test.ts runs the whole route on a swarm of four engines.
import t from 'tap'
import net from 'node:net'
import tls from 'node:tls'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { createLogger, parseArgs } from '@swarmgate/core'
import { verifyingKeySet } from '@swarmgate/registration'
import { program } from '../../packages/server-proxy/src/config.js'
import { buildNodeAgent } from '../../packages/server-proxy/src/node-agent/index.js'
import { startRecordingEngine, startServer, type RunningServer } from '../fixtures/server-proxy.js'
import { createTestIdentity } from '../fixtures/identity.js'
import { docker, ENGINE_SOCKET, useEngine } from '../testbed/index.js'

useEngine(t)

const NODES = '/_swarmgate/v1/nodes/'

async function login (server: RunningServer): Promise<string> {
  const { body } = await server.token({ grant_type: 'password', username: 'alice', password: 'correct horse battery' })
  return body.access_token as string
}

/** Sends an exec start upgrade without a token on the socket `open` makes; resolves with all that was answered. */
async function upgradeWithoutToken (open: (ready: () => void) => net.Socket, path: string): Promise<string> {
  return await new Promise<string>((resolve, reject) => {
    const socket = open(() => { socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`) })
    let text = ''
    socket.on('data', (c: Buffer) => { text += c.toString('latin1') })
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
}

async function get (server: RunningServer, path: string, token?: string): Promise<{ status: number, code: string | undefined, message: string }> {
  const res = await request(`${server.url}${path}`, { dispatcher: server.dispatcher, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
  const body = await res.body.json() as { message: string }
  return { status: res.statusCode, code: res.headers['x-swarmgate-error'] as string | undefined, message: body.message }
}

t.test('a manager checks the token before anything, then names unknown nodes and nodes without an agent', async (t) => {
  const engine = await startRecordingEngine()
  const recorded = await startServer({ engineSocket: engine.socketPath })
  t.teardown(async () => { await recorded.close(); await engine.close() })
  t.match(await get(recorded, `${NODES}w1/v1.41/containers/json`), { status: 401, code: 'SG_ERR_AUTH_MISSING' })
  t.match(await get(recorded, `${NODES}w1/_ping`, 'not.a.token'), { status: 401, code: 'SG_ERR_AUTH_MALFORMED' })
  t.equal(engine.connections, 0, 'nothing reached the engine, not even the question where the node is')

  // This machine's engine: a swarm of one node, with no node agent deployed on it.
  const server = await startServer({ engineSocket: ENGINE_SOCKET })
  t.teardown(async () => { await server.close() })
  const token = await login(server)
  const unknown = await get(server, `${NODES}no-such-node/v1.41/containers/json`, token)
  t.match(unknown, { status: 404, code: 'SG_ERR_NODE_UNKNOWN' })
  t.equal(unknown.message, 'swarmgate: no such node: no node of the swarm has the ID or hostname "no-such-node" (docker node ls lists them)')
  const hostname = await docker(['info', '--format', '{{.Name}}'])
  const down = await get(server, `${NODES}${hostname}/_ping`, token)
  t.match(down, { status: 503, code: 'SG_ERR_NODE_AGENT_DOWN' })
  t.match(down.message, /has no running swarmgate-node-agent task/)
  const nodeId = await docker(['info', '--format', '{{.Swarm.NodeID}}'])
  t.match(await get(server, `${NODES}${nodeId}/_ping`, token), { status: 503, code: 'SG_ERR_NODE_AGENT_DOWN' }, 'by its ID too')
  t.match(await get(server, `${NODES}-bad/_ping`, token), { status: 400, code: 'SG_ERR_NODE_ADDRESS' })

  // A hijacked call without a token is refused the same way, before the upgrade.
  const answer = await upgradeWithoutToken((ready) => tls.connect({ host: '127.0.0.1', port: recorded.port, ca: recorded.identity.caPem }, ready), `${NODES}w1/v1.41/exec/e1/start`)
  t.match(answer, /^HTTP\/1\.1 401 /)
  t.match(answer, /X-Swarmgate-Error: SG_ERR_AUTH_MISSING/i)
  t.equal(engine.connections, 0, 'and nothing reached the engine')
})

t.test('a node agent: the same token check with public keys only, no token service, Authorization never forwarded', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity('alice/test')
  const manager = await startServer({ engineSocket: engine.socketPath, identity })
  t.teardown(async () => { await manager.close(); await identity.remove(); await engine.close() })
  const publicKeys = join(identity.dir, 'verify-keys.json')
  await writeFile(publicKeys, verifyingKeySet(await readFile(identity.signingKeys, 'utf8')))
  t.notMatch(await readFile(publicKeys, 'utf8'), /"d"/, 'the agent is given no private key')
  const parsed = parseArgs(program, ['--node-agent', '--signing-keys', publicKeys, '--accounts', identity.accounts, '--swarm-name', identity.swarm, '--engine-socket', engine.socketPath], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const agent = await buildNodeAgent(parsed.config, createLogger({ name: 'node-agent', level: 'silent' }))
  await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { await agent.close() })
  const base = `http://127.0.0.1:${(agent.server.address() as AddressInfo).port}`
  const call = async (path: string, authorization?: string): Promise<{ status: number, code: string | undefined }> => {
    const res = await request(`${base}${path}`, { headers: authorization === undefined ? {} : { authorization } })
    await res.body.dump()
    return { status: res.statusCode, code: res.headers['x-swarmgate-error'] as string | undefined }
  }

  t.match(await call('/v1.41/containers/json'), { status: 401, code: 'SG_ERR_AUTH_MISSING' })
  t.match(await call('/_ping', 'Bearer not.a.token'), { status: 401, code: 'SG_ERR_AUTH_MALFORMED' })
  const other = await createTestIdentity('alice/test')
  t.teardown(async () => { await other.remove() })
  const foreign = await startServer({ engineSocket: engine.socketPath, identity: other })
  t.teardown(async () => { await foreign.close() })
  t.match(await call('/_ping', `Bearer ${await login(foreign)}`), { status: 401, code: 'SG_ERR_AUTH_UNKNOWN_KEY' }, 'a token another key set signed')
  t.equal(engine.requests.length, 0, 'nothing reached the engine')

  const token = await login(manager)
  t.match(await call('/v1.41/containers/json', `Bearer ${token}`), { status: 200 })
  t.equal(engine.requests.length, 1)
  t.equal(engine.requests[0]?.url, '/v1.41/containers/json')
  t.notOk(engine.requests[0]?.rawHeaders.some((h) => h.toLowerCase() === 'authorization'), 'the token stops at the agent')

  t.match(await call('/_swarmgate/v1/token', `Bearer ${token}`), { status: 404 }, 'no token service on a node')
  t.match(await call('/_swarmgate/v1/health'), { status: 200 })
  // An upgrade without a token never reaches the engine either.
  const answer = await upgradeWithoutToken((ready) => net.connect((agent.server.address() as AddressInfo).port, '127.0.0.1', ready), '/v1.41/exec/e1/start')
  t.match(answer, /^HTTP\/1\.1 401 /)
  t.match(answer, /X-Swarmgate-Error: SG_ERR_AUTH_MISSING/i)
  t.equal(engine.requests.length, 1, 'the engine saw only the one valid call')
})
