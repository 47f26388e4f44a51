/**
 * A manager that is slow but alive is not taken for lost, and one that is gone still is (issue
 * 13: under load a rolling upgrade failed calls with "no manager can take calls" while two
 * managers were up, only slower than the 1 s connect deadline). Each manager here is the same
 * server-proxy behind a path of its own on 127.0.0.1 that this test controls: a slow path holds
 * each new connection for a while before carrying it (the TLS handshake waits), a cut path holds
 * it for ever (packets vanish). How long the calls took is printed, not asserted.
 */
import t from 'tap'
import net from 'node:net'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { Client, request } from 'undici'
import { createLogger, parseArgs } from '@swarmgate/core'
import { startRecordingEngine, startServer, type RunningServer } from '../../../../test/fixtures/server-proxy.js'
import { createTestIdentity, type TestIdentity } from '../../../../test/fixtures/identity.js'
import { program } from '../../src/config.js'
import { buildClientProxy, type ClientProxy } from '../../src/app.js'

/** Far above any deadline client-proxy has: a call that reaches it hangs. */
const HANG_MS = 30_000

interface Path {
  readonly endpoint: string
  /** New connections wait this long before they are carried; Infinity: never (cut off). */
  delayMs: number
  /** Closes every connection carried so far (so the next call opens a new one). */
  reset (): void
  /** Cuts the path: connections carried so far go silent (nothing is closed), new ones are held. */
  cut (): void
  close (): Promise<void>
}

/** A path to `port` on 127.0.0.1 whose new connections can be delayed or held for ever. */
async function startPath (port: number): Promise<Path> {
  const open = new Set<net.Socket>()
  const timers = new Set<NodeJS.Timeout>()
  const path: Path = {
    endpoint: '',
    delayMs: 0,
    reset: () => { for (const s of open) s.destroy() },
    cut: () => {
      path.delayMs = Infinity
      for (const s of open) { s.unpipe(); s.pause() }
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      path.reset()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    open.add(client)
    client.on('error', () => {})
    client.on('close', () => open.delete(client))
    if (path.delayMs === Infinity) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      const up = net.connect({ host: '127.0.0.1', port })
      open.add(up)
      up.on('error', () => client.destroy())
      up.on('close', () => { open.delete(up); client.destroy() })
      client.on('close', () => up.destroy())
      if (path.delayMs === Infinity) return
      client.pipe(up).pipe(client)
      client.resume()
    }, path.delayMs)
    timers.add(timer)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(path, { endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}` })
}

async function startClient (identity: TestIdentity, endpoints: readonly string[], flags: readonly string[] = []): Promise<{ proxy: ClientProxy, url: string }> {
  const passwordFile = join(identity.dir, 'password')
  await writeFile(passwordFile, 'correct horse battery\n', { mode: 0o600 })
  const parsed = parseArgs(program, [
    '--port', '0', '--swarm', identity.swarm, ...endpoints.flatMap((e) => ['--endpoint', e]),
    '--fingerprint', identity.fingerprint, '--username', 'alice', '--password-file', passwordFile, ...flags
  ], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const proxy = await buildClientProxy(parsed.config, createLogger({ name: 'client-proxy', level: process.env.TEST_LOG_LEVEL ?? 'silent' }))
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  return { proxy, url: `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}` }
}

interface Health { readonly endpoint: string, readonly endpoints: ReadonlyArray<{ endpoint: string, healthy: boolean, reason?: string }> }

async function health (url: string): Promise<Health> {
  return await (await request(`${url}/_swarmgate/v1/health`)).body.json() as Health
}

/** GET `path` through client-proxy (on `client`'s one connection, when given): status, body and how long it took. */
async function get (url: string, path: string, client?: Client): Promise<{ status: number, body: string, ms: number }> {
  const started = performance.now()
  const res = await request(`${url}${path}`, { headersTimeout: HANG_MS, bodyTimeout: HANG_MS, ...(client === undefined ? {} : { dispatcher: client }) })
  return { status: res.statusCode, body: await res.body.text(), ms: Math.round(performance.now() - started) }
}

let server: RunningServer
let identity: TestIdentity
let engine: Awaited<ReturnType<typeof startRecordingEngine>>

t.before(async () => {
  engine = await startRecordingEngine()
  identity = await createTestIdentity()
  server = await startServer({ engineSocket: engine.socketPath, identity })
})
t.teardown(async () => { await server.close(); await identity.remove(); await engine.close() })

t.test('the only manager, slower than the first deadline: the call waits for it and succeeds', async (t) => {
  const slow = await startPath(server.port)
  const { proxy, url } = await startClient(identity, [slow.endpoint])
  t.teardown(async () => { await proxy.close(); await slow.close() })
  const first = await get(url, '/v1.41/version')
  t.equal(first.status, 200, 'a call on a fast path (its handshake sets a deadline of 1 s)')

  // Each new connection now waits 2.5 s before its TLS handshake can start: past the 1 s and the
  // 2 s deadlines, within the 4 s one.
  slow.delayMs = 2_500
  slow.reset()
  const seen = engine.requests.length
  const answer = await get(url, '/v1.41/containers/json')
  t.equal(answer.status, 200, `the call was answered (${answer.ms} ms), not "no manager can take calls": ${answer.body.slice(0, 200)}`)
  // server-proxy's health endpoint, which client-proxy's probes ask, pings the engine.
  t.same(engine.requests.slice(seen).map((r) => r.url).filter((u) => u !== '/_ping'), ['/v1.41/containers/json'], 'by the engine, once')
  t.comment(`a call to the only manager, each connection to it 2.5 s slow: answered in ${answer.ms} ms`)

  // A POST has a body that cannot be sent twice if it reached the engine: it must not be cut either.
  const posted = await request(`${url}/v1.41/containers/c/stop`, { method: 'POST', headersTimeout: HANG_MS })
  t.equal(posted.statusCode, 200, 'a POST on a slow connection is answered too')
  await posted.body.dump()
})

t.test('a manager cut off is still left at the first missed deadline, for a slow but alive one', async (t) => {
  const lost = await startPath(server.port)
  const slow = await startPath(server.port)
  const { proxy, url } = await startClient(identity, [lost.endpoint, slow.endpoint])
  t.teardown(async () => { await proxy.close(); await lost.close(); await slow.close() })
  t.equal((await get(url, '/v1.41/version')).status, 200, 'calls work through the first manager')
  t.equal((await health(url)).endpoint, lost.endpoint)

  slow.delayMs = 1_500
  lost.delayMs = Infinity
  lost.reset()
  const answer = await get(url, '/v1.41/containers/json')
  t.equal(answer.status, 200, `the call was answered (${answer.ms} ms)`)
  const state = await health(url)
  t.equal(state.endpoint, slow.endpoint, 'by the second manager, slow as it is')
  t.match(state.endpoints[0], { healthy: false, reason: /within \d+ ms/ }, `the cut one is unhealthy: ${state.endpoints[0]?.reason ?? ''}`)
  t.comment(`first manager cut off, the second 1.5 s slow: the call answered in ${answer.ms} ms`)
})

for (const [path, flags] of [['the byte relay', []], ['the careful path', ['--relay', 'off']]] as const) {
  t.test(`${path}: a read waiting on a manager cut off mid-call is sent to the next one at its first missed deadline`, async (t) => {
    const lost = await startPath(server.port)
    const next = await startPath(server.port)
    const { proxy, url } = await startClient(identity, [lost.endpoint, next.endpoint], flags)
    // One connection to client-proxy, as the docker CLI keeps: the relay pins it to one manager connection.
    const cli = new Client(url)
    t.teardown(async () => { await cli.close(); await proxy.close(); await lost.close(); await next.close() })
    t.equal((await get(url, '/v1.41/version', cli)).status, 200, 'calls work through the first manager, on kept-alive connections')
    const seen = engine.requests.length
    // The connections open to it now carry nothing either way: packets vanish.
    lost.cut()
    const answer = await get(url, '/v1.41/containers/json', cli)
    t.equal(answer.status, 200, `the read was answered (${answer.ms} ms)`)
    const state = await health(url)
    t.equal(state.endpoint, next.endpoint, 'by the next manager')
    t.match(state.endpoints[0], { healthy: false, reason: /within 1000 ms/ }, `the first manager missed one deadline: ${state.endpoints[0]?.reason ?? ''}`)
    t.same(engine.requests.slice(seen).map((r) => r.url).filter((u) => u !== '/_ping'), ['/v1.41/containers/json'], 'the engine saw it once')
    t.comment(`${path}: a read in flight on a manager cut off answered by the next in ${answer.ms} ms`)
  })
}
