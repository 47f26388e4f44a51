/**
 * Half-close after the request (issue 11): a client that sends its request and closes its write
 * side gets its answer from both proxies, as from the engine socket, and then the connection is
 * closed; a silent stream whose client half-closed is cut within HALF_CLOSED_IDLE_MS, and one
 * whose client left at once, so no proxy socket stays in CLOSE-WAIT.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { HALF_CLOSED_IDLE_MS } from '@swarmgate/core'
import { ENGINE_SOCKET, useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { openRaw, type RawTarget } from '../harness/raw-socket.js'

useEngine(t)

let chain: Chain
let token: string
t.before(async () => {
  chain = await startChain()
  token = await chain.accessToken()
})
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
})

const port = (url: string): number => Number(new URL(url.replace('tcp:', 'http:')).port)
const targets = (): Array<[string, RawTarget, string]> => [
  ['engine socket', { kind: 'unix', path: ENGINE_SOCKET }, ''],
  ['client-proxy', { kind: 'tcp', port: port(chain.dockerHost) }, ''],
  ['server-proxy', { kind: 'tls', port: port(chain.serverUrl), ca: chain.identity.caPem }, `Authorization: Bearer ${token}\r\n`]
]
/** Events no test produces: the stream stays silent. */
const SILENT = `/v1.41/events?filters=${encodeURIComponent(JSON.stringify({ label: ['io.swarmgate.never=1'] }))}`

t.test('a request followed by the client closing its write side is answered', async (t) => {
  for (const [name, target, auth] of targets()) {
    for (const [method, path] of [['GET', '/_ping'], ['HEAD', '/_ping'], ['GET', '/v1.41/version']]) {
      const conn = await openRaw(target)
      conn.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`)
      conn.end()
      t.ok(await conn.serverClosed(5_000), `${name} ${method} ${path}: the server closes after answering`)
      const { responses } = conn.responses()
      t.equal(responses[0]?.status, 200, `${name} ${method} ${path}: answered`)
      conn.destroy()
    }
  }
})

t.test('pipelined requests, then half-close: every one is answered', async (t) => {
  for (const [name, target, auth] of targets()) {
    const conn = await openRaw(target)
    conn.write(`GET /_ping HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`.repeat(3))
    conn.end()
    t.ok(await conn.serverClosed(5_000), `${name}: closed after the answers`)
    t.same(conn.responses().responses.map((r) => r.status), [200, 200, 200], `${name}: three answers`)
    conn.destroy()
  }
})

t.test('a silent stream is not held once its client closed its write side', async (t) => {
  await Promise.all(targets().map(async ([name, target, auth]) => {
    const conn = await openRaw(target)
    conn.write(`GET ${SILENT} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`)
    await conn.waitResponses(1, 5_000)
    conn.end()
    t.ok(await conn.serverClosed(HALF_CLOSED_IDLE_MS + 5_000), `${name}: the server closed its side`)
    conn.destroy()
  }))
})

t.test('a stream whose client left leaves no proxy socket in CLOSE-WAIT', async (t) => {
  const proxies = targets().slice(1)
  await Promise.all(proxies.map(async ([, target, auth]) => {
    const conn = await openRaw(target)
    conn.write(`GET ${SILENT} HTTP/1.1\r\nHost: 127.0.0.1\r\n${auth}\r\n`)
    await conn.waitResponses(1, 5_000)
    conn.destroy()
  }))
  // At once: an answer under way is cut when its client closes (the chain's upstream too).
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  for (const [name, target] of proxies) {
    const { stdout } = await promisify(execFile)('ss', ['-Htn', 'state', 'close-wait', `( sport = :${(target as { port: number }).port} )`])
    t.equal(stdout.trim(), '', `${name}: no socket in CLOSE-WAIT`)
  }
})
