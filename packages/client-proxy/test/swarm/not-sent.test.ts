/**
 * A call that no manager saw is sent to the next one whatever its method, when its body can be
 * replayed. Here the first endpoint's path starts resetting connections during the TLS handshake
 * (a server-proxy task being replaced, a guard closing at accept): ECONNRESET, a code that says
 * nothing about when it happened, so only where it happened (opening the connection) tells.
 */
import t from 'tap'
import net from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { createLogger, parseArgs } from '@swarmgate/core'
import { startRecordingEngine, startServer } from '../../../../test/fixtures/server-proxy.js'
import { createTestIdentity } from '../../../../test/fixtures/identity.js'
import { program } from '../../src/config.js'
import { buildClientProxy } from '../../src/app.js'

t.test('a POST whose connection is reset during the TLS handshake is sent to the next manager', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity()
  const server = await startServer({ engineSocket: engine.socketPath, identity })
  // The first endpoint: a path to the same server-proxy that can start resetting every connection.
  let resetting = false
  const carried = new Set<net.Socket>()
  const path = net.createServer((s) => {
    if (resetting) { s.resetAndDestroy(); return }
    const up = net.connect({ host: '127.0.0.1', port: server.port })
    for (const x of [s, up]) { carried.add(x); x.on('error', () => {}); x.on('close', () => { s.destroy(); up.destroy(); carried.delete(x) }) }
    s.pipe(up).pipe(s)
  })
  await new Promise<void>((resolve) => path.listen(0, '127.0.0.1', resolve))
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, 'correct horse battery\n', { mode: 0o600 })
  const parsed = parseArgs(program, [
    '--port', '0', '--swarm', identity.swarm, '--endpoint', `127.0.0.1:${(path.address() as AddressInfo).port}`, '--endpoint', `127.0.0.1:${server.port}`,
    '--fingerprint', identity.fingerprint, '--username', 'alice', '--password-file', passwordFile
  ], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const proxy = await buildClientProxy(parsed.config, createLogger({ name: 'client-proxy', level: process.env.TEST_LOG_LEVEL ?? 'silent' }))
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`
  t.teardown(async () => { await proxy.close(); await server.close(); path.close(); await identity.remove(); await engine.close() })

  const first = await request(`${url}/_ping`)
  t.equal(first.statusCode, 200, 'calls work through the first endpoint')
  await first.body.dump()
  t.ok(carried.size > 0, 'and went its way')
  resetting = true
  for (const s of carried) s.destroy()

  const seen = engine.requests.length
  const res = await request(`${url}/v1.41/containers/some-container/stop`, { method: 'POST' })
  t.equal(res.statusCode, 200, 'the POST without a body was answered')
  await res.body.dump()
  t.same(engine.requests.slice(seen).map((r) => `${r.method} ${r.url}`), ['POST /v1.41/containers/some-container/stop'], 'by an engine, once')
  const health = await (await request(`${url}/_swarmgate/v1/health`)).body.json() as { endpoints: Array<{ healthy: boolean, reason?: string }> }
  t.match(health.endpoints[0], { healthy: false, reason: /ECONNRESET|socket disconnected/ }, 'the first endpoint is unhealthy, with the reason')
})
