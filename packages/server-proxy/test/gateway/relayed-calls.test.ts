/**
 * server-proxy's fast path on its own: RelayedCalls in front of a recording stand-in for the
 * engine (what it saw is exactly what was relayed), with a caller the test changes between two
 * calls on one connection. A connection repeating a call keeps what was decided for it
 * (issue 14), so these tests hold that the caller is still asked each time: a token gone, a role
 * changed or a drain begun sends the very same head to the careful path instead.
 */
import t, { type Test } from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { Policy, createLogger } from '@swarmgate/core'
import { RelayedCalls } from '../../src/gateway/relayed-calls.js'
import { errors } from '../../src/errors.js'
import { startRecordingEngine } from '../../../../test/fixtures/server-proxy.js'

/** What the stand-in for the careful path answers, so a test can tell the two paths apart. */
const CAREFUL_ANSWER = 'HTTP/1.1 299 Careful\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'

interface Caller { name: string, role: string }

interface Bed {
  /** Who the token speaks for; undefined: the token is refused (expired, account gone). */
  caller: Caller | undefined
  draining: boolean
  readonly engine: Awaited<ReturnType<typeof startRecordingEngine>>
  readonly auditLines: () => Array<Record<string, unknown>>
  /** A client connection: send() writes one call and resolves with the status of its answer. */
  connect: () => Promise<{ send: (head: string) => Promise<number>, close: () => void }>
}

async function bed (t: Test): Promise<Bed> {
  const engine = await startRecordingEngine()
  const lines: string[] = []
  const logger = createLogger({ name: 'server-proxy', level: 'info', destination: { write: (s: string) => { lines.push(s) } } })
  const state: Bed = {
    caller: { name: 'olga', role: 'operator' },
    draining: false,
    engine,
    auditLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'audit'),
    connect: async () => {
      const socket = net.connect(port, '127.0.0.1')
      await once(socket, 'connect')
      let received = ''
      let waiting: ((status: number) => void) | undefined
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1')
        const end = received.indexOf('\r\n\r\n')
        if (end === -1) return
        // The stand-in answers chunked, the careful one with a length.
        const length = /content-length: (\d+)/i.exec(received.slice(0, end))
        if (length === null ? !received.endsWith('\r\n0\r\n\r\n') : received.length < end + 4 + Number(length[1])) return
        const status = Number(received.split(' ')[1])
        received = ''
        waiting?.(status)
      })
      return {
        send: async (head) => await new Promise<number>((resolve) => { waiting = resolve; socket.write(head) }),
        close: () => { socket.destroy() }
      }
    }
  }
  const relayed = new RelayedCalls({
    authenticate: (authorization) => {
      if (authorization !== 'Bearer token-1' || state.caller === undefined) throw errors.SG_ERR_AUTH_ACCOUNT_GONE()
      return { ...state.caller }
    },
    policy: new Policy(),
    engineSocket: engine.socketPath,
    logger,
    careful: () => state.draining
  })
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    relayed.serve(socket, (handed) => { handed.resume(); handed.end(CAREFUL_ANSWER) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => { server.close(resolve) })
    await engine.close()
  })
  return state
}

const call = (method: string, path: string): string => `${method} ${path} HTTP/1.1\r\nHost: docker\r\nAuthorization: Bearer token-1\r\n\r\n`
/** A write an operator may make and a viewer may not, decided from its head alone. */
const REMOVE = call('DELETE', '/v1.41/images/busybox')

t.test('a call repeated on one connection is relayed each time, each with its own audit line and without the token', async (t) => {
  const b = await bed(t)
  const c = await b.connect()
  t.teardown(c.close)
  for (let i = 0; i < 3; i++) t.equal(await c.send(call('GET', '/v1.41/containers/json')), 200)
  t.equal(b.engine.requests.length, 3, 'the engine saw every call')
  t.notOk(b.engine.requests.some((r) => r.rawHeaders.some((h) => h.toLowerCase() === 'authorization')), 'no token reached the engine')
  const audit = b.auditLines()
  t.equal(audit.length, 3)
  t.equal(new Set(audit.map((l) => l.reqId)).size, 3, 'each line has its own request id')
  t.match(audit[2], { account: 'olga', role: 'operator', route: '/containers/json', action: 'container.list', decision: 'allow', status: 200 })
})

t.test('the same head after the caller\'s role changed is decided again: a viewer\'s removal goes to the careful path', async (t) => {
  const b = await bed(t)
  const c = await b.connect()
  t.teardown(c.close)
  t.equal(await c.send(REMOVE), 200, 'an operator\'s removal is relayed')
  b.caller = { name: 'olga', role: 'viewer' }
  t.equal(await c.send(REMOVE), 299, 'the same bytes from a viewer are not')
  t.equal(b.engine.requests.length, 1, 'the engine saw only the operator\'s')
})

t.test('the same head after the token stopped being valid, or once a drain began, goes to the careful path', async (t) => {
  for (const [what, change] of [
    ['token refused', (b: Bed) => { b.caller = undefined }],
    ['draining', (b: Bed) => { b.draining = true }],
    ['another account of the same role', (b: Bed) => { b.caller = { name: 'oscar', role: 'operator' } }]
  ] as const) {
    const b = await bed(t)
    const c = await b.connect()
    t.equal(await c.send(REMOVE), 200, `${what}: first call relayed`)
    change(b)
    const status = await c.send(REMOVE)
    c.close()
    if (what === 'another account of the same role') {
      t.equal(status, 200, `${what}: relayed`)
      t.same(b.auditLines().map((l) => l.account), ['olga', 'oscar'], `${what}: the audit line names who called`)
    } else {
      t.equal(status, 299, `${what}: careful path`)
      t.equal(b.engine.requests.length, 1, `${what}: the engine saw only the first`)
    }
  }
})
