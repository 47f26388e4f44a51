import t from 'tap'
import net from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { Pool, request } from 'undici'
import { createLogger, parseArgs } from '@swarmgate/core'
import { createSigningKeySet } from '@swarmgate/registration'
import { startRecordingEngine, startServer } from '../../../test/fixtures/server-proxy.js'
import { createTestIdentity } from '../../../test/fixtures/identity.js'
import { program } from '../src/config.js'
import { buildClientProxy, type ClientProxy } from '../src/app.js'

async function freePort (): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

async function startClient (args: string[]): Promise<{ proxy: ClientProxy, url: string }> {
  const parsed = parseArgs(program, ['--port', '0', ...args], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const proxy = await buildClientProxy(parsed.config, createLogger({ name: 'client-proxy', level: process.env.TEST_LOG_LEVEL ?? 'silent' }))
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  return { proxy, url: `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}` }
}

t.test('client-proxy relay', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity()
  let server = await startServer({ engineSocket: engine.socketPath, identity })
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, 'correct horse battery\n', { mode: 0o600 })
  const deadPort = await freePort()
  // The first endpoint has nothing listening: calls must fail over to the second.
  const { proxy, url } = await startClient([
    '--swarm', identity.swarm, '--endpoint', `127.0.0.1:${deadPort}`, '--endpoint', `127.0.0.1:${server.port}`,
    '--fingerprint', identity.fingerprint, '--username', 'alice', '--password-file', passwordFile
  ])
  t.teardown(async () => { await proxy.close(); await server.close(); await identity.remove(); await engine.close() })

  t.test('a call without a body fails over to the next manager and is authenticated there', async (t) => {
    const res = await request(`${url}/v1.41/info`)
    t.equal(res.statusCode, 200)
    t.same(await res.body.json(), { ok: true })
    t.equal(engine.requests.at(-1)?.url, '/v1.41/info')
    const health = await request(`${url}/_swarmgate/v1/health`)
    t.match(await health.body.json(), { status: 'ok', account: 'alice', endpoint: `127.0.0.1:${server.port}` })
  })

  t.test('the token service is not reachable through the local endpoint', async (t) => {
    const res = await request(`${url}/_swarmgate/v1/token`, { method: 'POST', body: 'grant_type=password' })
    t.equal(res.statusCode, 404)
    await res.body.dump()
  })

  t.test('a 401 (signing keys replaced on the swarm) is retried once with a new token', async (t) => {
    await server.close()
    await writeFile(identity.signingKeys, await createSigningKeySet())
    server = await startServer({ engineSocket: engine.socketPath, identity, port: server.port })
    const res = await request(`${url}/v1.41/version`)
    t.equal(res.statusCode, 200)
    await res.body.dump()
  })

  t.test('a kept connection repeating a call carries the token held at each call, not the one its first call had', async (t) => {
    // One connection, kept: the second call is the same head on the same relay connection.
    const pool = new Pool(url, { connections: 1 })
    t.teardown(async () => { await pool.close() })
    const version = async (): Promise<number> => {
      const res = await pool.request({ path: '/v1.41/version', method: 'GET' })
      await res.body.dump()
      return res.statusCode
    }
    t.equal(await version(), 200)
    // New signing keys: the token the first call carried is refused from now on.
    await server.close()
    await writeFile(identity.signingKeys, await createSigningKeySet())
    server = await startServer({ engineSocket: engine.socketPath, identity, port: server.port })
    await proxy.keeper.renew()
    t.equal(await version(), 200)
    const audit = server.logLines().filter((l) => l.msg === 'audit')
    t.same(audit.map((l) => [l.path, l.status]), [['relay', 200]], 'relayed with the renewed token at once, never refused')
  })

  t.test('a revoked login becomes a Docker-style error telling the user to log in again', async (t) => {
    await server.close()
    await identity.writeAccounts([])
    server = await startServer({ engineSocket: engine.socketPath, identity, port: server.port })
    await writeFile(identity.signingKeys, await createSigningKeySet())
    await server.close()
    server = await startServer({ engineSocket: engine.socketPath, identity, port: server.port })
    const res = await request(`${url}/v1.41/containers/json`)
    t.equal(res.statusCode, 401)
    t.equal(res.headers['content-type'], 'application/json')
    t.match(await res.body.json(), { message: /swarmgate: no valid login for this swarm; run the swarmgate client again to log in/ })
  })
})
