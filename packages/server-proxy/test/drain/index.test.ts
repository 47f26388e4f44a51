/**
 * The drain on a plain listener on 127.0.0.1:0, with handlers the test holds: a call whose answer
 * had not begun when the drain started gets the draining headers too; what is still open at the
 * bound is cut and counted; a drain that nothing holds ends as soon as the last connection has
 * closed. test/failover/server-proxy-drain.test.ts drives the whole server-proxy process.
 */
import t, { type Test } from 'tap'
import http from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { createLogger, DRAINING_HEADER } from '@swarmgate/core'
import { ServerDrain } from '../../src/drain/index.js'

interface Drained {
  readonly drain: ServerDrain
  readonly port: number
  /** Resolves once a call to `/held` has reached the handler. */
  readonly held: Promise<void>
  readonly release: () => void
}

/** A server whose handler answers `/held` only once released, and streams `/stream` until its client goes. */
async function drainedServer (t: Test): Promise<Drained> {
  const drain = new ServerDrain(createLogger({ name: 'test', level: 'silent' }))
  let release = (): void => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  let arrived = (): void => {}
  const held = new Promise<void>((resolve) => { arrived = resolve })
  const server = http.createServer((req, res) => {
    if (req.url === '/held') { arrived(); void released.then(() => res.end('done')) }
    else if (req.url === '/stream') { res.flushHeaders(); res.write('first line\n') } else res.end('ok')
  })
  drain.attach(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { drain, port: (server.address() as AddressInfo).port, held, release }
}

/** GET `path` on a connection of its own; resolves with the answer's head once it has come. */
async function get (port: number, path: string): Promise<http.IncomingMessage> {
  return await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, resolve).on('error', reject)
  })
}

t.test('a call in flight whose answer has not begun gets Connection: close and the draining header', async (t) => {
  const { drain, port, held, release } = await drainedServer(t)
  const answer = get(port, '/held')
  await held
  const outcome = drain.run(10_000)
  release()
  const res = await answer
  t.equal(res.headers.connection, 'close')
  t.equal(res.headers[DRAINING_HEADER.toLowerCase()], '1')
  res.resume()
  t.match(await outcome, { completed: true, announced: 1, cut: { calls: 0, hijacked: 0, other: 0 } })
})

t.test('a stream still open at the bound is cut and counted', async (t) => {
  const { drain, port } = await drainedServer(t)
  const res = await get(port, '/stream')
  const ended = new Promise<boolean>((resolve) => { res.on('close', () => resolve(res.complete)); res.on('error', () => {}); res.resume() })
  const outcome = await drain.run(200)
  t.match(outcome, { completed: false, announced: 0, cut: { calls: 1, hijacked: 0 } })
  t.equal(await ended, false, 'the stream ends incomplete')
})

t.test('with nothing open, the drain ends at once and no new connection is accepted', async (t) => {
  const { drain, port } = await drainedServer(t)
  t.match(await drain.run(10_000), { completed: true, announced: 0 })
  await t.rejects(get(port, '/'), { code: 'ECONNREFUSED' })
})
