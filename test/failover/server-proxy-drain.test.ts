/**
 * server-proxy's drain on stop (docs/protocol.md, "Draining"): the defect docs/failover.md found
 * in the lab's rolling upgrade, a call written on a kept-alive connection at the moment the
 * stopping server-proxy closed it, is lost. A real server-proxy process in front of the real engine
 * is sent SIGTERM, as the swarm does to a task it replaces, with kept-alive connections and calls
 * open: a call sent on a kept-alive connection during the drain (a POST with a body, and a GET on
 * a connection the relay carried) is answered as usual, with `Connection: close` and
 * `X-Swarmgate-Draining: 1`; a call in flight completes; a new connection is refused; the process
 * exits on its own once everything has ended, before its bound. Streams and hijacked sessions still
 * open at the bound are cut, and the process exits.
 */
import t, { type Test } from 'tap'
import https from 'node:https'
import type tls from 'node:tls'
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { Agent, request } from 'undici'
import { DRAINING_HEADER } from '@swarmgate/core'
import { BUSYBOX_IMAGE, docker, useEngine, waitFor } from '../testbed/index.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { startProxyProcess, type ProxyProcess } from '../harness/proxy-process.js'
import { openRaw, type RawSocket } from '../harness/raw-socket.js'
import { startHijackedExec } from '../harness/hijacked-exec.js'
import { drainLine } from '../harness/drain-log.js'
import { requestChunks, type ParsedResponse } from '../harness/tls-exchange.js'
import { createTestIdentity, ROLE_ACCOUNTS, type TestIdentity } from '../fixtures/identity.js'

useEngine(t)

/** An image no test has: a container create for it is refused by the engine (404), nothing is created. */
const ABSENT_IMAGE = 'swarmgate-drain-absent:none'
const DRAINING = DRAINING_HEADER.toLowerCase()
const ANSWER_MS = 20_000

let identity: TestIdentity
const containers: string[] = []

t.before(async () => {
  identity = await createTestIdentity('drain/test', [ROLE_ACCOUNTS.operator])
})
t.teardown(async () => {
  await identity?.remove()
  for (const c of containers) await docker(['rm', '-f', c]).catch(() => {})
})

/** A container that runs until killed and prints nothing. */
async function quietContainer (): Promise<string> {
  const name = `sg-drain-${randomBytes(4).toString('hex')}`
  containers.push(name)
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', name, BUSYBOX_IMAGE, 'sleep', '600'])
  return name
}

/** A server-proxy process that drains for at most `drain`; stopped (SIGKILL after 5 s) in teardown if the test left it running. */
async function startServer (t: Test, drain: string): Promise<ProxyProcess> {
  const server = await startProxyProcess('server-proxy', ['--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, '--drain-timeout', drain])
  t.teardown(async () => {
    if (!t.passing()) t.comment(server.lines().slice(-30).join('\n'))
    await server.stop()
  })
  return server
}

/** An access token, asked on a connection that is closed at once: it must not count among the drain's connections. */
async function login (server: ProxyProcess): Promise<string> {
  const dispatcher = new Agent({ connect: { ca: identity.caPem } })
  try {
    const res = await request(`https://127.0.0.1:${server.port}/_swarmgate/v1/token`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ROLE_ACCOUNTS.operator.name, password: ROLE_ACCOUNTS.operator.password }).toString()
    })
    const body = await res.body.json() as { access_token?: string }
    if (res.statusCode !== 200 || body.access_token === undefined) throw new Error(`login answered ${res.statusCode}`)
    return body.access_token
  } finally {
    await dispatcher.close()
  }
}

/** The bytes of one call with the token. */
function call (method: string, target: string, token: string, body?: unknown): Buffer {
  const json = body === undefined ? undefined : JSON.stringify(body)
  return Buffer.concat(requestChunks({
    method,
    target,
    headers: [['Authorization', `Bearer ${token}`], ...(json === undefined ? [] : [['Content-Type', 'application/json'] as [string, string]])],
    ...(json === undefined ? {} : { body: json })
  }))
}

/** The `n`th answer (1-based) on `socket`; fails the wait when it does not come. */
async function answer (socket: RawSocket, n: number): Promise<ParsedResponse> {
  const answers = await socket.waitResponses(n, ANSWER_MS)
  const got = answers[n - 1]
  if (got === undefined) throw new Error(`answer ${n} did not come (got ${answers.length})`)
  return got
}

t.test('on SIGTERM: calls during the drain answered with Connection: close and the header, a call in flight completes, no new connection, exit before the bound', { timeout: 120_000 }, async (t) => {
  const box = await quietContainer()
  const server = await startServer(t, '60s')
  const token = await login(server)
  const target = { kind: 'tls', port: server.port, ca: identity.caPem } as const

  // Two kept-alive connections that have carried a call: one node:http keeps (a call with a body
  // takes the full path, and its connection with it), one the relay carries when it is on; and
  // one call in flight.
  const posting = await openRaw(target)
  posting.write(call('POST', '/v1.41/containers/create', token, { Image: ABSENT_IMAGE }))
  t.equal((await answer(posting, 1)).status, 404)
  const getting = await openRaw(target)
  getting.write(call('GET', '/v1.41/version', token))
  const before = await answer(getting, 1)
  t.equal(before.status, 200)
  t.equal(before.headers[DRAINING], undefined, 'no draining header before the stop')
  const waiting = await openRaw(target)
  waiting.write(call('POST', `/v1.41/containers/${box}/wait`, token))
  // The engine sends the head of a wait at once and its body when the container stops.
  await waitFor('the wait call to be under way', async () => waiting.responses().rest.toString('latin1').startsWith('HTTP/1.1 200') ? true : undefined, { timeoutMs: ANSWER_MS, intervalMs: 50 })

  process.kill(server.pid, 'SIGTERM')
  const begun = await waitFor('the drain to begin', async () => drainLine(server, /^draining/), { timeoutMs: ANSWER_MS, intervalMs: 50 })
  t.match(begun, { calls: 1, hijacked: 0 }, 'the drain starts knowing the call in flight')

  const refused = await openRaw(target).then((s) => { s.destroy(); return 'connected' }, (err: NodeJS.ErrnoException) => err.code)
  t.equal(refused, 'ECONNREFUSED', 'a new connection is refused')

  posting.write(call('POST', '/v1.41/containers/create', token, { Image: ABSENT_IMAGE }))
  const posted = await answer(posting, 2)
  t.equal(posted.status, 404, 'a POST with a body sent on a kept-alive connection during the drain is carried out and answered (the engine: no such image)')
  t.match(posted.body.toString(), /No such image/)
  t.equal(posted.headers.connection, 'close')
  t.equal(posted.headers[DRAINING], '1')
  t.ok(await posting.serverClosed(ANSWER_MS), 'and its connection is closed after the answer')

  getting.write(call('GET', '/v1.41/containers/json?limit=1', token))
  const got = await answer(getting, 2)
  t.equal(got.status, 200, 'a GET on a kept-alive connection during the drain is answered')
  t.equal(got.headers.connection, 'close')
  t.equal(got.headers[DRAINING], '1')
  t.ok(await getting.serverClosed(ANSWER_MS))

  await docker(['kill', box])
  const waited = await answer(waiting, 1)
  t.equal(waited.status, 200, 'the call in flight completes')
  t.match(JSON.parse(waited.body.toString()), { StatusCode: 137 })
  t.ok(await waiting.serverClosed(ANSWER_MS), 'its kept-alive connection, quiet since, is closed by the server')

  t.equal(await server.exited(), 0, 'the process exits on its own, status 0')
  t.match(drainLine(server, /^drained/), { completed: true, announced: 2, cut: { calls: 0, hijacked: 0, other: 0 } }, 'everything ended before the bound: nothing was cut')
})

/** Opens `docker logs -f` of `box`; resolves with the answer once its head has come. */
async function followLogs (server: ProxyProcess, box: string, token: string): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: server.port, ca: identity.caPem, servername: 'localhost', agent: false, method: 'GET', path: `/v1.41/containers/${box}/logs?follow=1&stdout=1&stderr=1`, headers: { authorization: `Bearer ${token}` } }, resolve)
    req.on('error', reject)
    req.end()
  })
}

/** Starts a hijacked `cat` exec in `box`, as the docker CLI does; resolves with the open connection once the 101 has come. */
async function hijackedExec (server: ProxyProcess, box: string, token: string): Promise<tls.TLSSocket> {
  const created = await openRaw({ kind: 'tls', port: server.port, ca: identity.caPem })
  created.write(call('POST', `/v1.41/containers/${box}/exec`, token, { Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true }))
  const { Id: id } = JSON.parse((await answer(created, 1)).body.toString()) as { Id: string }
  created.destroy()
  return await startHijackedExec(server.port, identity.caPem, id, token)
}

t.test('a stream and a hijacked session still open at the bound are cut, and the process exits', { timeout: 120_000 }, async (t) => {
  const box = await quietContainer()
  const server = await startServer(t, '2s')
  const token = await login(server)
  const logs = await followLogs(server, box, token)
  t.equal(logs.statusCode, 200)
  // A cut stream closes before its last chunk: incomplete, which the client reads as a broken
  // stream (client-proxy then ends it with its failover sentence), never as the stream's end.
  const logsEnded = new Promise<string>((resolve) => {
    logs.on('error', () => {})
    logs.on('close', () => resolve(logs.complete ? 'ended' : 'cut'))
    logs.resume()
  })
  const session = await hijackedExec(server, box, token)
  const sessionClosed = once(session, 'close')

  process.kill(server.pid, 'SIGTERM')
  t.match(await waitFor('the drain to begin', async () => drainLine(server, /^draining/), { timeoutMs: ANSWER_MS, intervalMs: 50 }), { hijacked: 1 })
  t.equal(await logsEnded, 'cut', 'the logs -f stream is cut, not ended as if complete')
  await sessionClosed
  t.pass('the hijacked session is closed')
  t.equal(await server.exited(), 0, 'the process exits, status 0')
  const drained = drainLine(server, /^drained/) as { completed?: boolean, cut?: { calls: number, hijacked: number, other: number } } | undefined
  t.equal(drained?.completed, false, 'the drain reached its bound')
  t.equal(drained?.cut?.hijacked, 1, 'one hijacked session cut')
  // The logs stream is node:http's call, or a relayed connection's when the relay carries it.
  t.equal((drained?.cut?.calls ?? 0) + (drained?.cut?.other ?? 0), 1, 'and the logs stream')
})
