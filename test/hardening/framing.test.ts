/**
 * Request framing (issue 11): malformed and ambiguous requests sent raw to both proxies
 * (client-proxy on 127.0.0.1; server-proxy over TLS as owner, so authorization hides nothing, and
 * unauthenticated). Each is answered with a Docker-style 4xx, or answered as the request it is
 * (controls), or the connection is closed; a request hidden where a proxy could take it for a body
 * never reaches the engine as a request (no desync), and no unauthenticated byte reaches it.
 */
import t from 'tap'
import { useEngine } from '../testbed/index.js'
import { logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { startSocketRelay, type SocketRelay } from '../harness/socket-relay.js'
import { openRaw, type RawTarget } from '../harness/raw-socket.js'

useEngine(t)

let chain: Chain
let relay: SocketRelay
let token: string
t.before(async () => {
  relay = await startSocketRelay(undefined, { record: true })
  chain = await startChain({ engineSocket: relay.path, role: 'owner' })
  token = await chain.accessToken()
})
t.teardown(async () => {
  logsOnFailure(t, chain)
  await chain?.close()
  await relay?.close()
})

/** A request that must never reach the engine: its line is looked for in what the relay saw. */
const SMUGGLED = 'GET /v1.41/containers/sg-smuggled/json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
const H = 'Host: 127.0.0.1\r\n'

interface Case {
  readonly name: string
  /** The bytes; AUTH is replaced with the Authorization line (or nothing). */
  readonly bytes: string
  /** `refused`: a 4xx or a closed connection; `answered`: every answer is 200 (a legal request). */
  readonly expect: 'refused' | 'answered' | 'either'
  /** Close the write side after sending. */
  readonly halfClose?: boolean
}

const CASES: Case[] = [
  { name: 'Content-Length and Transfer-Encoding', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'Transfer-Encoding then Content-Length', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding: chunked\r\nContent-Length: 60\r\n\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'Transfer-Encoding twice', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'Transfer-Encoding: xchunked', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'Transfer-Encoding with a space before the colon', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'two equal Content-Lengths', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello`, expect: 'either' },
  { name: 'conflicting Content-Lengths', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'a Content-Length list', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'a signed Content-Length', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length: +${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'a folded header line', bytes: `GET /_ping HTTP/1.1\r\n${H}AUTH X-Folded: a\r\n b\r\n\r\n`, expect: 'either' },
  { name: 'a folded Content-Length', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Content-Length:\r\n ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'bare LF line ends', bytes: `GET /_ping HTTP/1.1\n${H.replace('\r\n', '\n')}AUTH\n`, expect: 'either' },
  { name: 'bare LF inside a header value', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH X-A: a\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'a huge chunk size', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nabc\r\n`, expect: 'refused' },
  { name: 'a chunk size that overflows to a small one', bytes: `POST /_ping HTTP/1.1\r\n${H}AUTH Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n${SMUGGLED}`, expect: 'refused' },
  { name: 'NUL in a header value', bytes: `GET /_ping HTTP/1.1\r\n${H}AUTH X-A: a\u0000b\r\n\r\n`, expect: 'refused' },
  { name: 'a control byte in the target', bytes: `GET /_pi\u0001ng HTTP/1.1\r\n${H}AUTH \r\n`, expect: 'refused' },
  { name: 'NUL in the method', bytes: `GE\u0000T /_ping HTTP/1.1\r\n${H}AUTH \r\n`, expect: 'refused' },
  { name: 'absolute-form target naming another host', bytes: `GET http://evil.example/_ping HTTP/1.1\r\n${H}AUTH \r\n`, expect: 'either' },
  { name: 'HTTP/1.0 with a body', bytes: `GET /_ping HTTP/1.0\r\n${H}AUTH Content-Length: 5\r\n\r\nhello`, expect: 'answered' },
  { name: 'HTTP/1.0 with a body and no length', bytes: `POST /_ping HTTP/1.0\r\n${H}AUTH \r\nhello`, expect: 'either', halfClose: true },
  { name: 'pipelined requests', bytes: `GET /_ping HTTP/1.1\r\n${H}AUTH \r\nGET /_ping HTTP/1.1\r\n${H}AUTH \r\n`, expect: 'answered' },
  { name: 'half-close after the request', bytes: `GET /_ping HTTP/1.1\r\n${H}AUTH \r\n`, expect: 'answered', halfClose: true },
  { name: 'an unknown HTTP version', bytes: `GET /_ping HTTP/1.7\r\n${H}AUTH \r\n`, expect: 'either' }
]

/** The part of tap's Test that attempt() uses. */
interface Asserts {
  ok: (value: unknown, message: string) => boolean
  notOk: (value: unknown, message: string) => boolean
  equal: (found: unknown, wanted: unknown, message: string) => boolean
}

const port = (url: string): number => Number(new URL(url.replace('tcp:', 'http:')).port)

/** Sends `c` to `target` with `auth`; checks the answers; returns the request lines the engine saw meanwhile. */
async function attempt (t: Asserts, name: string, target: RawTarget, auth: string, c: Case): Promise<string[]> {
  const before = relay.requestLines().length
  const conn = await openRaw(target)
  conn.write(Buffer.from(c.bytes.replaceAll('AUTH ', auth), 'latin1'))
  if (c.halfClose === true) conn.end()
  const closed = await conn.serverClosed(3_000)
  const { responses } = conn.responses()
  conn.destroy()
  const statuses = responses.map((r) => r.status)
  const what = `${name}, ${c.name}: ${closed ? 'closed' : 'open'}, answers ${JSON.stringify(statuses)}`
  for (const r of responses) {
    if (r.status >= 400) {
      t.ok(r.status < 500, `${what}: a 4xx`)
      t.equal(r.headers['content-type'], 'application/json', `${what}: Docker-style`)
    }
  }
  if (c.expect === 'refused') t.ok(statuses.every((s) => s >= 400 && s < 500) && (closed || statuses.length > 0), `${what}: refused`)
  if (c.expect === 'answered') t.ok(statuses.length > 0 && statuses.every((s) => s === 200), `${what}: answered`)
  // Let the proxies' engine calls finish before reading the relay.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const seen = relay.requestLines().slice(before)
  t.notOk(seen.some((line) => line.includes('sg-smuggled')), `${what}: the hidden request did not reach the engine`)
  return seen
}

t.test('client-proxy', { timeout: 300_000 }, async (t) => {
  for (const c of CASES) await attempt(t, 'client-proxy', { kind: 'tcp', port: port(chain.dockerHost) }, '', c)
})

t.test('server-proxy as owner', { timeout: 300_000 }, async (t) => {
  for (const c of CASES) await attempt(t, 'server-proxy', { kind: 'tls', port: port(chain.serverUrl), ca: chain.identity.caPem }, `Authorization: Bearer ${token}\r\n`, c)
})

t.test('server-proxy unauthenticated: nothing reaches the engine', { timeout: 300_000 }, async (t) => {
  for (const c of CASES) {
    const seen = await attempt(t, 'unauthenticated', { kind: 'tls', port: port(chain.serverUrl), ca: chain.identity.caPem }, '', { ...c, expect: 'refused' })
    t.same(seen, [], `unauthenticated, ${c.name}: no request reached the engine`)
  }
})
