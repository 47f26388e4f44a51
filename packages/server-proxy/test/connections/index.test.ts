/**
 * The connection guard on real listeners (plain HTTP and TLS on 127.0.0.1:0), with deadlines of a
 * few hundred milliseconds: what it closes, when, what it lets through, and that it forgets.
 */
import t, { type Test } from 'tap'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import tls from 'node:tls'
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { createLogger } from '@swarmgate/core'
import { ConnectionGuard, type GuardOptions } from '../../src/connections/index.js'
import { createTestIdentity } from '../../../../test/fixtures/identity.js'

const LIMITS = { handshakeMs: 400, headMs: 400, idleMs: 800, perSource: 3, total: 5, logIntervalMs: 60_000 }

interface Guarded { guard: ConnectionGuard, port: number, lines: () => Array<Record<string, unknown>> }

/** A server that answers 200 and marks its connection authenticated when the call says `Authorization: ok`. */
async function guardedServer (t: Test, server: http.Server, limits: Partial<GuardOptions> = {}): Promise<Guarded> {
  const lines: string[] = []
  const logger = createLogger({ name: 'test', level: 'info', destination: { write: (s: string) => { lines.push(s) } } })
  const guard = new ConnectionGuard({ ...LIMITS, ...limits, logger })
  guard.attach(server)
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (req.headers.authorization === 'ok') guard.authenticated(req.socket)
    res.end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    guard.close()
  })
  return { guard, port: (server.address() as AddressInfo).port, lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

/**
 * Resolves with how long `socket` stayed open, in ms. A close may come as a reset (the guard closes
 * while the client is still writing): events.once would reject on that 'error', so only 'close' is awaited.
 */
async function closedAfter (socket: net.Socket): Promise<number> {
  const started = performance.now()
  socket.on('error', () => {})
  socket.resume()
  await new Promise((resolve) => socket.once('close', resolve))
  return performance.now() - started
}

async function connect (port: number): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return socket
}

async function settled (guard: ConnectionGuard): Promise<void> {
  for (let i = 0; i < 50 && guard.stats().unauthenticated > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
}

t.test('a half-sent head is closed at the head deadline, a silent connection at the idle one', async (t) => {
  const { guard, port } = await guardedServer(t, http.createServer())
  const half = await connect(port)
  half.write('GET /_ping HTTP/1.1\r\nHost: x\r\n')
  const silent = await connect(port)
  const [halfMs, silentMs] = await Promise.all([closedAfter(half), closedAfter(silent)])
  t.ok(halfMs >= 350 && halfMs < 750, `the half-sent head is closed at the head deadline (${Math.round(halfMs)} ms)`)
  t.ok(silentMs >= 750 && silentMs < 1500, `the silent connection at the idle deadline (${Math.round(silentMs)} ms)`)
  await settled(guard)
  t.match(guard.stats(), { unauthenticated: 0, sources: 0, events: { 'closed-head': 1, 'closed-idle': 1 } }, 'nothing is left counted')
})

t.test('a slow head is closed even while bytes keep coming; complete heads between pauses are not', async (t) => {
  const { guard, port } = await guardedServer(t, http.createServer())
  const drip = await connect(port)
  const head = 'GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'
  let i = 0
  const timer = setInterval(() => { if (!drip.destroyed) drip.write(head.charAt(i++ % head.length)) }, 100)
  t.teardown(() => { clearInterval(timer) })
  const dripMs = await closedAfter(drip)
  t.ok(dripMs < 750, `a head dripped a byte at a time is closed at the head deadline (${Math.round(dripMs)} ms)`)

  const polite = await connect(port)
  polite.on('error', () => {})
  let answers = 0
  polite.on('data', (d: Buffer) => { answers += d.toString().split('HTTP/1.1 200').length - 1 })
  for (let k = 0; k < 3; k++) {
    polite.write(head)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  t.equal(answers, 3, 'three calls 500 ms apart (each longer than the head deadline) are all answered')
  polite.destroy()
  await settled(guard)
  t.equal(guard.stats().unauthenticated, 0)
})

t.test('an authenticated connection is never timed, counted or closed by the guard', async (t) => {
  const { guard, port } = await guardedServer(t, http.createServer())
  const owner = await connect(port)
  owner.on('error', () => {})
  let answers = 0
  owner.on('data', (d: Buffer) => { answers += d.toString().split('HTTP/1.1 200').length - 1 })
  owner.write('GET /v1.41/info HTTP/1.1\r\nHost: x\r\nAuthorization: ok\r\n\r\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(guard.stats().unauthenticated, 0, 'it no longer counts against the caps')
  owner.write('GET /v1.41/info HTTP/1.1\r\nHost: x\r\n')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.notOk(owner.destroyed, 'idle past both deadlines with a head half-sent, it is still open')
  owner.write('\r\n')
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(answers, 2, 'and the call it finishes is answered')
  owner.destroy()
})

t.test('over the per-source cap, and over the global cap, new connections are closed at once and counted', async (t) => {
  const { guard, port, lines } = await guardedServer(t, http.createServer(), { perSource: 3, total: 5, idleMs: 10_000 })
  const held = await Promise.all([1, 2, 3].map(async () => await connect(port)))
  for (const s of held) s.on('error', () => {})
  const refusedMs = await closedAfter(await connect(port))
  t.ok(refusedMs < 200, `the fourth from 127.0.0.1 is closed at once (${Math.round(refusedMs)} ms)`)
  // A second source: 127.0.0.2 is also loopback on Linux.
  const other = await Promise.all([1, 2].map(async () => { const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' }); s.on('error', () => {}); await once(s, 'connect'); return s }))
  const overGlobal = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.3' })
  await once(overGlobal, 'connect')
  t.ok(await closedAfter(overGlobal) < 200, 'a sixth, from a third source, is over the global cap and closed at once')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(guard.stats(), { unauthenticated: 5, sources: 2, events: { 'refused-per-source': 1, 'refused-global': 1 } })
  t.match(lines(), [{ source: '127.0.0.1', event: 'refused-per-source' }, { source: '127.0.0.3', event: 'refused-global' }], 'one log line per source')
  for (const s of [...held, ...other]) s.destroy()
  await settled(guard)
  t.match(guard.stats(), { unauthenticated: 0, sources: 0 }, 'closed connections free their slots')
})

t.test('TLS: a connection that never completes its handshake is closed at the handshake deadline; a finished one is then timed as HTTP', async (t) => {
  const identity = await createTestIdentity()
  t.teardown(async () => { await identity.remove() })
  const [cert, key] = await Promise.all([readFile(identity.tlsCert, 'utf8'), readFile(identity.tlsKey, 'utf8')])
  const { guard, port } = await guardedServer(t, https.createServer({ cert, key }))
  const mute = await connect(port)
  const muteMs = await closedAfter(mute)
  t.ok(muteMs >= 350 && muteMs < 750, `no ClientHello: closed at the handshake deadline (${Math.round(muteMs)} ms)`)

  const client = tls.connect({ port, host: '127.0.0.1', ca: identity.caPem, servername: 'localhost', checkServerIdentity: () => undefined })
  await once(client, 'secureConnect')
  client.write('GET /_ping HTTP/1.1\r\nHost: x\r\n')
  const halfMs = await closedAfter(client as unknown as net.Socket)
  t.ok(halfMs >= 350 && halfMs < 750, `a half-sent head over TLS is closed at the head deadline (${Math.round(halfMs)} ms)`)

  const owner = tls.connect({ port, host: '127.0.0.1', ca: identity.caPem, servername: 'localhost', checkServerIdentity: () => undefined })
  await once(owner, 'secureConnect')
  owner.write('GET /v1.41/info HTTP/1.1\r\nHost: x\r\nAuthorization: ok\r\n\r\n')
  await once(owner, 'data')
  await new Promise((resolve) => setTimeout(resolve, 1200))
  t.notOk(owner.destroyed, 'an authenticated TLS connection idle past the deadlines is still open')
  owner.write('GET /v1.41/info HTTP/1.1\r\nHost: x\r\n\r\n')
  t.match((await once(owner, 'data'))[0].toString(), /^HTTP\/1.1 200/, 'and usable')
  owner.destroy()
  await settled(guard)
  t.match(guard.stats(), { unauthenticated: 0, sources: 0, events: { 'closed-handshake': 1, 'closed-head': 1 } })
})
