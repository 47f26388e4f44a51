// Calls for one node, without a lab (docs/protocol.md, "Every node"): a manager's server-proxy
// refuses a node call without a valid token before asking anything of its engine, names a node the
// swarm does not have, and says when a node has no agent; a node agent (--node-agent, in TLS with
// the agents' own certificate, given only the public half of the signing keys and no account
// store) refuses calls without a manager's assertion of that very call for its node (a user's
// valid token included), serves none of the token service, and forwards an asserted call to its
// engine without the assertion.
// test/lab/every-node.test.ts runs the whole route on a swarm of four engines.
import t from 'tap'
import tls from 'node:tls'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo, Socket } from 'node:net'
import { Agent, request } from 'undici'
import { createLogger, parseArgs } from '@swarmgate/core'
import { createAgentIdentity, verifyingKeySet } from '@swarmgate/registration'
import { program, type ServerConfig } from '../../packages/server-proxy/src/config.js'
import { buildNodeAgent } from '../../packages/server-proxy/src/node-agent/index.js'
import { signNodeAssertion } from '../../packages/server-proxy/src/nodes/index.js'
import { loadSigningKeys } from '../../packages/server-proxy/src/signing-keys.js'
import { tokenSettings } from '../../packages/server-proxy/src/app.js'
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
async function upgradeWithoutToken (open: (ready: () => void) => Socket, path: string): Promise<string> {
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

t.test('a node agent: TLS with its own certificate, only a manager\'s assertion of the very call for its node, no token service', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity('alice/test')
  const manager = await startServer({ engineSocket: engine.socketPath, identity })
  t.teardown(async () => { await manager.close(); await identity.remove(); await engine.close() })
  const publicKeys = join(identity.dir, 'verify-keys.json')
  await writeFile(publicKeys, verifyingKeySet(await readFile(identity.signingKeys, 'utf8')))
  t.notMatch(await readFile(publicKeys, 'utf8'), /"d"/, 'the agent is given no private key')
  const agentTls = await createAgentIdentity(identity.swarm)
  await writeFile(join(identity.dir, 'agent-cert.pem'), agentTls.certPem)
  await writeFile(join(identity.dir, 'agent-key.pem'), agentTls.keyPem)
  const NODE = 'w1nodeid0000000000000000a'
  const args = ['--node-agent', '--signing-keys', publicKeys, '--swarm-name', identity.swarm, '--engine-socket', engine.socketPath,
    '--tls-cert', join(identity.dir, 'agent-cert.pem'), '--tls-key', join(identity.dir, 'agent-key.pem'),
    // No account store: an agent reads none.
    '--accounts', join(identity.dir, 'no-such-file')]
  const configOf = (extra: string[]): ServerConfig => {
    const p = parseArgs(program, [...args, ...extra], {})
    if (p.action !== 'run') throw new Error('unexpected parse result')
    return p.config
  }
  const parsed = { config: configOf(['--node-id', NODE]) }
  await t.rejects(buildNodeAgent(configOf([]), createLogger({ name: 'node-agent', level: 'silent' })), { code: 'SG_ERR_NODE_AGENT_CONFIG' }, 'no agent without its node')
  const agent = await buildNodeAgent(parsed.config, createLogger({ name: 'node-agent', level: 'silent' }))
  await new Promise<void>((resolve) => agent.server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => { await agent.close() })
  const port = (agent.server.address() as AddressInfo).port
  const pinned = new Agent({ connect: { ca: agentTls.caPem, servername: 'swarmgate-node-agent' } })
  t.teardown(async () => { await pinned.close() })
  const keys = await loadSigningKeys(await readFile(identity.signingKeys, 'utf8'))
  const settings = tokenSettings(parsed.config)
  const assert = async (path: string, node = NODE, method = 'GET'): Promise<string> => await signNodeAssertion(keys, settings, { principal: { name: 'alice', role: 'owner' }, node, method, path })
  const call = async (path: string, headers: Record<string, string> = {}): Promise<{ status: number, code: string | undefined }> => {
    const res = await request(`https://127.0.0.1:${port}${path}`, { dispatcher: pinned, headers })
    await res.body.dump()
    return { status: res.statusCode, code: res.headers['x-swarmgate-error'] as string | undefined }
  }
  const ASSERTION = 'x-swarmgate-node-assertion'

  t.match(await call('/v1.41/containers/json'), { status: 401, code: 'SG_ERR_AUTH_NO_ASSERTION' })
  const token = await login(manager)
  t.match(await call('/v1.41/containers/json', { authorization: `Bearer ${token}` }), { status: 401, code: 'SG_ERR_AUTH_NO_ASSERTION' }, 'a user\'s valid token without an assertion')
  t.match(await call('/v1.41/containers/json', { [ASSERTION]: await assert('/v1.41/containers/json', 'm1nodeid0000000000000000b') }), { status: 401, code: 'SG_ERR_AUTH_ASSERTION_MISMATCH' }, 'an assertion for another node')
  t.match(await call('/v1.41/containers/json', { [ASSERTION]: await assert('/v1.41/images/json') }), { status: 401, code: 'SG_ERR_AUTH_ASSERTION_MISMATCH' }, 'an assertion for another path')
  const other = await createTestIdentity('alice/test')
  t.teardown(async () => { await other.remove() })
  const foreign = await signNodeAssertion(await loadSigningKeys(await readFile(other.signingKeys, 'utf8')), settings, { principal: { name: 'alice', role: 'owner' }, node: NODE, method: 'GET', path: '/_ping' })
  t.match(await call('/_ping', { [ASSERTION]: foreign }), { status: 401, code: 'SG_ERR_AUTH_UNKNOWN_KEY' }, 'an assertion another key set signed')
  t.equal(engine.requests.length, 0, 'nothing reached the engine')

  t.match(await call('/v1.41/containers/json', { [ASSERTION]: await assert('/v1.41/containers/json'), authorization: `Bearer ${token}` }), { status: 200 })
  t.equal(engine.requests.length, 1)
  t.equal(engine.requests[0]?.url, '/v1.41/containers/json')
  t.notOk(engine.requests[0]?.rawHeaders.some((h) => h.toLowerCase() === 'authorization' || h.toLowerCase() === ASSERTION), 'neither token nor assertion reaches the engine')

  t.match(await call('/_swarmgate/v1/token', { [ASSERTION]: await assert('/_swarmgate/v1/token') }), { status: 404 }, 'no token service on a node')
  t.match(await call('/_swarmgate/v1/health'), { status: 200 })
  // Only TLS, and only for the agents' name under their CA.
  const plain = await request(`http://127.0.0.1:${port}/_swarmgate/v1/health`).then((r) => r.statusCode, (err: Error & { code?: string }) => err.code ?? err.message)
  t.not(plain, 200, 'plain HTTP is not served')
  await t.rejects(request(`https://127.0.0.1:${port}/_ping`, { dispatcher: new Agent({ connect: { ca: identity.caPem, servername: 'swarmgate-node-agent' } }) }), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'the CA clients pin does not vouch for an agent')
  // An upgrade without an assertion never reaches the engine either.
  const answer = await upgradeWithoutToken((ready) => tls.connect({ host: '127.0.0.1', port, ca: agentTls.caPem, servername: 'swarmgate-node-agent' }, ready), '/v1.41/exec/e1/start')
  t.match(answer, /^HTTP\/1\.1 401 /)
  t.match(answer, /X-Swarmgate-Error: SG_ERR_AUTH_NO_ASSERTION/i)
  t.equal(engine.requests.length, 1, 'the engine saw only the one asserted call')
})
