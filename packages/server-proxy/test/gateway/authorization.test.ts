/**
 * The gateway decides on the caller's role before anything reaches the engine (issue 10). The
 * engine here is a recording stand-in: what it saw is exactly what server-proxy forwarded. The
 * escape attempts against a real engine are in test/conformance/authorization-*.test.ts.
 */
import t from 'tap'
import tls from 'node:tls'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import { buildServerProxy } from '../../src/app.js'
import { createLogger, parseArgs, hasCode } from '@swarmgate/core'
import { program } from '../../src/config.js'
import { startRecordingEngine, startServer, type RunningServer } from '../../../../test/fixtures/server-proxy.js'
import { ROLE_ACCOUNTS, createTestIdentity } from '../../../../test/fixtures/identity.js'

const CAREFUL = { name: 'carl-careful', password: 'careful password 1', role: 'careful' }
const ACCOUNTS = [...Object.values(ROLE_ACCOUNTS), CAREFUL]

async function tokenOf (server: RunningServer, role: keyof typeof ROLE_ACCOUNTS): Promise<string> {
  const account = ROLE_ACCOUNTS[role]
  const res = await server.token({ grant_type: 'password', username: account.name, password: account.password })
  return (res.body as { access_token: string }).access_token
}

t.test('decisions by role, before the engine', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity('alice/test', ACCOUNTS)
  const policyFile = join(identity.dir, 'policy.yaml')
  await writeFile(policyFile, 'version: 1\nroles:\n  careful:\n    base: operator\n    mode: audit\n')
  const server = await startServer({ engineSocket: engine.socketPath, identity, flags: ['--policy', policyFile] })
  t.teardown(async () => { await server.close(); await engine.close(); await identity.remove() })
  const operator = await tokenOf(server, 'operator')
  const viewer = await tokenOf(server, 'viewer')
  const call = async (token: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number, message: string }> => {
    const res = await request(`${server.url}${path}`, {
      method: method as 'GET',
      dispatcher: server.dispatcher,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body })
    })
    const text = await res.body.text()
    return { status: res.statusCode, message: res.statusCode === 200 ? text : (JSON.parse(text) as { message: string }).message }
  }

  t.test('an operator may not create a privileged container; nothing reaches the engine', async (t) => {
    const before = engine.requests.length
    const res = await call(operator, 'POST', '/v1.41/containers/create', '{"Image":"busybox","HostConfig":{"Privileged":true}}')
    t.equal(res.status, 403)
    t.equal(res.message, 'swarmgate: denied: operator may not create privileged containers (rule no-privileged)')
    t.equal(engine.requests.length, before, 'the engine saw nothing')
  })

  t.test('an operator\'s ordinary create reaches the engine as the very bytes decided on, whatever the framing', async (t) => {
    const body = '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Binds":["data:/data"]}}'
    // A chunked body in three pieces: node:http undoes the chunking, the engine gets a length.
    const chunks = [body.slice(0, 10), body.slice(10, 40), body.slice(40)]
    const res = await request(`${server.url}/v1.41/containers/create?name=ok`, {
      method: 'POST',
      dispatcher: server.dispatcher,
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: (async function * () { for (const c of chunks) yield Buffer.from(c) })()
    })
    t.equal(res.statusCode, 200)
    await res.body.dump()
    const seen = engine.requests.at(-1)
    t.equal(seen?.url, '/v1.41/containers/create?name=ok')
    const headers = seen?.rawHeaders ?? []
    t.equal(headers[headers.findIndex((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-length') + 1], String(Buffer.byteLength(body)))
  })

  t.test('a body that cannot be read with certainty is refused', async (t) => {
    for (const [body, status] of [
      ['{"Image":"busybox","HostConfig":{"Privileged":false,"privileged":true}}', 400],
      ['{"Image":"busybox"} {"HostConfig":{"Privileged":true}}', 400],
      ['{"Image":', 400]
    ] as const) {
      const before = engine.requests.length
      const res = await call(operator, 'POST', '/containers/create', body)
      t.equal(res.status, status, body)
      t.match(res.message, /^swarmgate: denied: operator may not send a body that cannot be read with certainty/)
      t.equal(engine.requests.length, before, 'the engine saw nothing')
    }
  })

  t.test('a refused upload gets its refusal, not a reset, and the connection serves the next call', async (t) => {
    const before = engine.requests.length
    const big = Buffer.alloc(6 * 1024 * 1024, 0x20)
    big.write('{"Image":"busybox","HostConfig":{"Privileged":true}', 0)
    big.write('}', big.length - 1)
    for (let i = 0; i < 3; i++) {
      const res = await call(operator, 'POST', '/v1.41/containers/create', big.toString())
      t.equal(res.status, 413, `attempt ${i + 1}`)
      t.equal((await call(operator, 'GET', '/v1.41/containers/json')).status, 200)
    }
    t.equal(engine.requests.length, before + 3, 'only the three lists reached the engine')
  })

  t.test('a viewer reads, and may not exec, attach or change anything', async (t) => {
    t.equal((await call(viewer, 'GET', '/v1.41/containers/json')).status, 200)
    for (const [method, path] of [['POST', '/containers/x/exec'], ['POST', '/containers/x/kill'], ['GET', '/containers/x/export'], ['GET', '/swarm'], ['POST', '/v1.41/containers/create']] as const) {
      const res = await call(viewer, method, path, method === 'POST' ? '{}' : undefined)
      t.equal(res.status, 403, `${method} ${path}`)
      t.match(res.message, /^swarmgate: denied: viewer may not .* \(rule read-only\)$/)
    }
  })

  t.test('a hijacked call is decided before the upgrade', async (t) => {
    const before = engine.requests.length
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, ca: server.identity.caPem, servername: 'localhost' })
    await new Promise<void>((resolve) => socket.once('secureConnect', resolve))
    socket.write(`POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${viewer}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`)
    let answer = ''
    socket.on('data', (d: Buffer) => { answer += d.toString() })
    await new Promise<void>((resolve) => socket.once('close', () => resolve()))
    t.match(answer, /^HTTP\/1\.1 403 /)
    t.match(answer, /viewer may not call exec\.start/)
    t.equal(engine.requests.length, before, 'the engine saw nothing')
  })

  t.test('an audit-mode role is allowed what it would be refused, and the line says would-deny', async (t) => {
    const careful = (await server.token({ grant_type: 'password', username: CAREFUL.name, password: CAREFUL.password })).body.access_token as string
    const before = engine.requests.length
    const res = await call(careful, 'POST', '/v1.41/containers/create', '{"Image":"busybox","HostConfig":{"Privileged":true}}')
    t.equal(res.status, 200, 'forwarded')
    t.equal(engine.requests.length, before + 1)
    const lines = server.logLines().filter((l) => l.msg === 'audit')
    t.match(lines.filter((l) => l.role === 'careful').at(-1), { account: CAREFUL.name, decision: 'would-deny', rule: 'no-privileged', status: 200 })
    t.match(lines.filter((l) => l.decision === 'deny' && l.role === 'operator')[0], {
      account: 'oscar-operator', role: 'operator', method: 'POST', route: '/containers/create', action: 'container.create', rule: 'no-privileged', status: 403, source: '127.0.0.1'
    })
  })
})

t.test('a removed account\'s token is refused as soon as server-proxy has the new store', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity('alice/test', ACCOUNTS)
  t.teardown(async () => { await engine.close(); await identity.remove() })
  let server = await startServer({ engineSocket: engine.socketPath, identity })
  const token = await tokenOf(server, 'operator')
  await server.close()
  // What a rolling update does: the next task starts with the store registration wrote.
  await identity.writeAccounts(identity.accountList.filter((a) => a.name !== ROLE_ACCOUNTS.operator.name))
  server = await startServer({ engineSocket: engine.socketPath, identity })
  t.teardown(async () => { await server.close() })
  const res = await request(`${server.url}/v1.41/containers/json`, { dispatcher: server.dispatcher, headers: { authorization: `Bearer ${token}` } })
  t.equal(res.statusCode, 401)
  t.match((await res.body.json() as { message: string }).message, /no longer exists/)
})

t.test('a broken policy document stops the start with the line and the reason', async (t) => {
  const identity = await createTestIdentity('alice/test', ACCOUNTS)
  t.teardown(async () => { await identity.remove() })
  const policyFile = join(identity.dir, 'policy.yaml')
  await writeFile(policyFile, 'version: 1\nroles:\n  ops:\n    base: root\n')
  const parsed = parseArgs(program, [...identity.serverArgs, '--policy', policyFile], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  let error: unknown
  try { await buildServerProxy(parsed.config, createLogger({ name: 'test', level: 'silent' })) } catch (err) { error = err }
  t.ok(hasCode(error, 'SG_ERR_POLICY_INVALID'))
  t.match((error as Error).message, /line 4: roles\.ops\.base must be owner, operator or viewer/)
})
