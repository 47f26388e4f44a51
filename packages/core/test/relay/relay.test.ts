// The relay against an upstream that writes exactly the bytes each test gives it. A stand-in
// for the engine on purpose: dockerd cannot be made to send 1xx answers, malformed framing or
// to hang up mid-answer, which is what these tests are about. The conformance and hardening
// suites run the relay against the real engine.
import t, { type Test } from 'tap'
import http from 'node:http'
import net from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { interceptConnections, relayConnection, buildHead, type RelayEnd, type RelayRequest, type RelayVerdict } from '../../src/relay/index.js'

interface Bed {
  /** Everything each upstream connection received, in order of connection. */
  readonly received: Buffer[][]
  /** What the relay reported per exchange. */
  readonly ended: RelayEnd[]
  readonly decided: RelayRequest[]
  /** Sends raw bytes on a new client connection; resolves with all it got once the relay closes it. */
  exchange: (bytes: string | Buffer | ReadonlyArray<string | Buffer>, opts?: { halfClose?: boolean }) => Promise<{ bytes: Buffer, error: boolean }>
  connect: () => Promise<net.Socket>
  /** Upstream connections the relay gave back through its release hook and no connection took again yet. */
  readonly released: Duplex[]
}

type Answer = (request: Buffer, socket: net.Socket) => void

/**
 * A relay in front of a scripted upstream: `answer` is called with each complete request head
 * the upstream receives (and the socket to write to); node:http behind the relay answers
 * `careful <method> <url>` for whatever is handed over.
 */
async function bed (t: Test, answer: Answer, decide: (r: RelayRequest) => RelayVerdict | Promise<RelayVerdict> = relayAll, opts: { release?: boolean } = {}): Promise<Bed> {
  const dir = await mkdtemp(join(tmpdir(), 'sg-relay-'))
  const path = join(dir, 'upstream.sock')
  const received: Buffer[][] = []
  const ended: RelayEnd[] = []
  const decided: RelayRequest[] = []
  const released: Duplex[] = []
  const upstream = net.createServer({ allowHalfOpen: true }, (socket) => {
    const chunks: Buffer[] = []
    received.push(chunks)
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      buffered = Buffer.concat([buffered, chunk])
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buffered.subarray(0, end + 4)
        buffered = buffered.subarray(end + 4)
        answer(head, socket)
      }
    })
    socket.on('error', () => {})
    socket.on('end', () => socket.end())
  })
  await new Promise<void>((resolve) => upstream.listen(path, resolve))
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => { res.end(`careful ${req.method ?? ''} ${req.url ?? ''}`) })
  })
  const sockets = new Set<Duplex>()
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)) })
  interceptConnections(server, (socket, careful) => {
    relayConnection(socket, {
      // A verdict the test gives at once is given at once, a promised one promised: both paths run.
      decide: (r) => {
        decided.push(r)
        const withEnd = (v: RelayVerdict): RelayVerdict => v.kind === 'careful' ? v : { ...v, ended: (e) => { ended.push(e) } }
        const v = decide(r)
        return v instanceof Promise ? v.then(withEnd) : withEnd(v)
      },
      // With release: a connection given back is taken again first, as client-proxy's idle pool does.
      connect: async () => released.shift() ?? await new Promise<Duplex>((resolve, reject) => {
        const s = net.connect(path, () => { s.off('error', reject); resolve(s) })
        s.once('error', reject)
      }),
      handover: careful,
      ...(opts.release === true ? { release: (u: Duplex) => { released.push(u) } } : {})
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  t.teardown(async () => {
    for (const s of sockets) s.destroy()
    for (const s of released) s.destroy()
    await new Promise((resolve) => { server.close(resolve) })
    await new Promise((resolve) => { upstream.close(resolve) })
    await rm(dir, { recursive: true, force: true })
  })
  const connect = async (): Promise<net.Socket> => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    await once(s, 'connect')
    return s
  }
  return {
    received,
    ended,
    decided,
    released,
    connect,
    exchange: async (bytes, opts = {}) => {
      const s = await connect()
      const out: Buffer[] = []
      let error = false
      s.on('data', (c: Buffer) => out.push(c))
      s.on('error', () => { error = true })
      // Half-open on purpose (to half-close); the relay's end is answered with ours.
      s.on('end', () => s.end())
      for (const b of Array.isArray(bytes) ? bytes : [bytes]) s.write(b)
      if (opts.halfClose === true) s.end()
      await once(s, 'close')
      return { bytes: Buffer.concat(out), error }
    }
  }
}

/** Relays every request as it came. */
function relayAll (r: RelayRequest): RelayVerdict {
  const [method, target] = [r.method, r.target]
  return { kind: 'relay', head: buildHead([method, target, 'HTTP/1.1'], r.rawHeaders) }
}

const ok = (body: string, extra = ''): string => `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`
const get = (path: string, header = ''): string => `GET ${path} HTTP/1.1\r\nHost: docker\r\n${header === '' ? '' : `${header}\r\n`}\r\n`
const methodOf = (head: Buffer): string => head.toString('latin1').split(' ')[0] ?? ''
const pathOf = (head: Buffer): string => head.toString('latin1').split(' ')[1] ?? ''

t.test('content-length answers pass through byte for byte, several calls on one pinned upstream connection', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok(`answer to ${pathOf(head)}`, 'Api-Version: 1.41\r\n')) })
  const r = await b.exchange([get('/_ping'), get('/version', 'Connection: close')])
  t.equal(r.bytes.toString(), ok('answer to /_ping', 'Api-Version: 1.41\r\n') + ok('answer to /version', 'Api-Version: 1.41\r\n'))
  t.equal(b.received.length, 1, 'one upstream connection for both calls')
  t.equal(Buffer.concat(b.received[0] ?? []).toString(), get('/_ping') + get('/version', 'Connection: close'), 'the requests arrive as sent')
  t.same(b.ended.map((e) => e.status), [200, 200], 'each exchange reports its status')
  t.equal(b.ended[0]?.bytesOut, Buffer.byteLength(ok('answer to /_ping', 'Api-Version: 1.41\r\n')))
})

t.test('a head repeated byte for byte on a connection is given as the same request, parsed once; any other head is read anew', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok(`answer to ${pathOf(head)}`)) })
  const post = (body: string): string => `POST /a HTTP/1.1\r\nHost: docker\r\nContent-Length: ${body.length}\r\n\r\n${body}`
  const calls = [get('/a'), get('/a'), get('/b'), get('/a'), get('/a', 'X: 1'), get('/a', 'X: 2'), post('one'), post('two'), get('/a', 'Connection: close')]
  const r = await b.exchange(calls.join(''))
  t.equal(r.bytes.toString(), ['/a', '/a', '/b', '/a', '/a', '/a', '/a', '/a', '/a'].map((p) => ok(`answer to ${p}`)).join(''))
  t.equal(Buffer.concat(b.received[0] ?? []).toString(), calls.join(''), 'every call and body reaches the upstream as sent')
  const d = b.decided
  t.equal(d.length, calls.length)
  t.equal(d[1], d[0], 'the same head again: the same request')
  t.not(d[2], d[1], 'another target: read anew')
  t.not(d[3], d[0], 'only the last head is kept')
  t.equal(d[3]?.target, '/a')
  t.not(d[5], d[4], 'one byte of a header value differs: read anew')
  t.same(d[5]?.rawHeaders, ['Host', 'docker', 'X', '2'])
  t.equal(d[7], d[6], 'the same head with another body of the same length: the same request')
  t.same(d[7]?.framing, { kind: 'length', length: 3 })
})

t.test('chunked answers, HEAD, 204, 304 and 1xx are framed right, and the next call follows each', async (t) => {
  const answers: Record<string, string> = {
    '/chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
    '/204': 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n',
    '/304': 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n',
    '/early': 'HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
  }
  const b = await bed(t, (head, s) => { s.write(answers[pathOf(head)] ?? ok('last')) })
  const requests = [get('/chunked'), `HEAD /head HTTP/1.1\r\nHost: docker\r\n\r\n`, get('/204'), get('/304'), get('/early'), get('/last', 'Connection: close')]
  const r = await b.exchange(requests.join(''))
  t.equal(r.bytes.toString(), Object.values(answers).join('') + ok('last'))
  t.same(b.ended.map((e) => e.status), [200, 200, 204, 304, 200, 200], 'the 103 is passed on, the 200 after it is the status')
})

t.test('a pipelined call is sent upstream only once the answer before it has ended', async (t) => {
  let sockets = 0
  const b = await bed(t, (head, s) => {
    sockets++
    if (pathOf(head) === '/slow') setTimeout(() => { s.write(ok('slow')) }, 50)
    else s.write(ok('fast'))
  })
  const r = await b.exchange(get('/slow') + get('/fast', 'Connection: close'))
  t.equal(r.bytes.toString(), ok('slow') + ok('fast'), 'answers in order')
  t.equal(sockets, 2)
  t.equal(b.received[0]?.[0]?.toString(), get('/slow'), 'the first write upstream held only the first call')
})

t.test('request bodies far larger than any buffer arrive whole, content-length and chunked', async (t) => {
  const size = 8 * 1024 * 1024
  const head = `POST /images/load HTTP/1.1\r\nHost: docker\r\nContent-Length: ${size}\r\n\r\n`
  const chunked = Buffer.concat([Buffer.from('POST /build HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\n'),
    ...Array.from({ length: 64 }, () => Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x62), Buffer.from('\r\n')])),
    Buffer.from('0\r\n\r\n')])
  // The upstream answers a POST once it has all of its body (it knows the sizes; it does not parse).
  const expected = [head.length + size, chunked.length]
  const b = await bed(t, (h, s) => {
    // The upstream's head finder does not skip bodies: it also stops inside the chunked body (its
    // last chunk), and the GET after a body comes with the body's bytes in front.
    if (h.toString('latin1').includes('GET /after ')) s.write(ok('GET'))
    if (methodOf(h) !== 'POST') return
    const index = b.received.length - 1
    const timer = setInterval(() => {
      const got = Buffer.concat(b.received[index] ?? []).length
      if (got >= (expected[index] ?? 0)) { clearInterval(timer); s.write(ok(`POST ${got}`)) }
    }, 10)
    s.once('close', () => clearInterval(timer))
  })
  const r = await b.exchange([head, Buffer.alloc(size, 0x61), get('/after', 'Connection: close')])
  t.equal(r.bytes.toString(), ok(`POST ${head.length + size}`) + ok('GET'), 'every body byte went upstream, then the call after it')
  const r2 = await b.exchange([chunked, get('/after', 'Connection: close')])
  t.equal(r2.bytes.toString(), ok(`POST ${chunked.length}`) + ok('GET'), 'the chunked body went up as it was, framing included')
})

t.test('an upload gathered into large writes: what came before a pause reaches the upstream within moments, not at the end', async (t) => {
  // Past 1 MiB, small reads of a body (a TLS record's 16 KiB) are gathered into writes of 128 KiB
  // or whatever came within 1 ms; a sender that stops (a slow pipe into docker load) must not
  // have its last bytes held back. Sent here in 8 KiB writes, so the relay reads small pieces.
  const size = 3 * 1024 * 1024
  const head = `POST /images/load HTTP/1.1\r\nHost: docker\r\nContent-Length: ${size}\r\n\r\n`
  const b = await bed(t, (h, s) => {
    if (methodOf(h) !== 'POST') return
    const timer = setInterval(() => {
      if (Buffer.concat(b.received[0] ?? []).length >= head.length + size) { clearInterval(timer); s.write(ok('loaded', 'Connection: close\r\n')) }
    }, 10)
    s.once('close', () => clearInterval(timer))
  })
  const client = await b.connect()
  const answer: Buffer[] = []
  client.on('data', (c: Buffer) => answer.push(c))
  client.on('end', () => client.end())
  // 2 MiB and 1,000 bytes, one byte value per position so order and loss both show.
  const body = Buffer.alloc(size, 0)
  for (let i = 0; i < size; i++) body[i] = i % 251
  const first = 2 * 1024 * 1024 + 1000
  client.write(head)
  for (let at = 0; at < first; at += 8192) {
    client.write(body.subarray(at, Math.min(first, at + 8192)))
    await new Promise((resolve) => setImmediate(resolve))
  }
  const upstreamGot = (): number => Buffer.concat(b.received[0] ?? []).length - head.length
  const deadline = Date.now() + 5_000
  while (upstreamGot() < first && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  t.equal(upstreamGot(), first, 'every byte sent before the pause reached the upstream while the sender waited')
  client.write(body.subarray(first))
  await once(client, 'close')
  t.match(Buffer.concat(answer).toString(), /loaded$/, 'answered once the whole body came')
  t.ok(Buffer.concat(b.received[0] ?? []).subarray(head.length).equals(body), 'the body arrived whole and in order')
})

t.test('Connection: close from either side ends the connection after the answer', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok('bye', pathOf(head) === '/server-closes' ? 'Connection: close\r\n' : '')) })
  const r = await b.exchange(get('/server-closes') + get('/never-sent'))
  t.equal(r.bytes.toString(), ok('bye', 'Connection: close\r\n'), 'the pipelined call after a closing answer is not answered')
  t.equal(Buffer.concat(b.received[0] ?? []).toString(), get('/server-closes'))
})

t.test('release: an upstream connection idle between exchanges is given back when its client closes or is handed over, and serves the next client', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok(`answer to ${pathOf(head)}`, pathOf(head) === '/server-closes' ? 'Connection: close\r\n' : '')) },
    (r) => r.target === '/careful' ? { kind: 'careful' } : relayAll(r), { release: true })
  const first = await b.exchange(get('/first'), { halfClose: true })
  t.equal(first.bytes.toString(), ok('answer to /first'))
  t.equal(b.released.length, 1, 'the client closed between exchanges: its upstream connection is given back')
  const second = await b.exchange(get('/second') + get('/careful', 'Connection: close'))
  t.ok(second.bytes.toString().startsWith(ok('answer to /second')), 'the relayed call is answered first')
  t.match(second.bytes.toString(), /careful GET \/careful/, 'the handed-over call is answered by the careful path')
  t.equal(b.received.length, 1, 'the second client used the connection the first gave back')
  t.equal(Buffer.concat(b.received[0] ?? []).toString(), get('/first') + get('/second'), 'the careful call never went to the released connection')
  t.equal(b.released.length, 1, 'given back again at the handover, between exchanges')
  const third = await b.exchange(get('/server-closes'))
  t.equal(third.bytes.toString(), ok('answer to /server-closes', 'Connection: close\r\n'))
  t.equal(b.released.length, 0, 'a connection whose answer said close is not given back')
})

t.test('release: a connection cut mid-answer, or closed by its client before its answer, is never given back', async (t) => {
  const b = await bed(t, (head, s) => { if (pathOf(head) === '/partial') s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome') }, relayAll, { release: true })
  const s = await b.connect()
  s.on('error', () => {})
  s.write(get('/partial'))
  await once(s, 'data')
  s.destroy()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(b.released.length, 0, 'the client left mid-answer: the upstream connection is closed, not given back')
  const s2 = await b.connect()
  s2.on('error', () => {})
  s2.write(get('/never-answered'))
  await new Promise((resolve) => setTimeout(resolve, 50))
  s2.destroy()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(b.released.length, 0, 'the client left before its answer: not given back')
})

t.test('an answer delimited by the end of the connection ends with it', async (t) => {
  const b = await bed(t, (_head, s) => { s.end('HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes') })
  const r = await b.exchange(`POST /containers/x/attach HTTP/1.1\r\nHost: docker\r\n\r\n`)
  t.equal(r.bytes.toString(), 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw bytes')
  t.same(b.ended.map((e) => e.status), [200])
})

t.test('upgrades, Expect, HTTP/1.0, ambiguous framing and odd heads go to the careful path', async (t) => {
  const b = await bed(t, (_head, s) => { s.write(ok('relayed')) })
  const cases = [
    'POST /exec/x/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
    'PUT /containers/x/archive HTTP/1.1\r\nHost: docker\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n',
    'GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n',
    'POST /build HTTP/1.1\r\nHost: docker\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    'GET /_ping HTTP/1.1\r\nHost: docker\r\nX:  folded\r\n  line\r\n\r\n'
  ]
  for (const request of cases) {
    const s = await b.connect()
    s.write(request)
    const out: Buffer[] = []
    s.on('data', (c: Buffer) => out.push(c))
    s.on('error', () => {})
    await new Promise((resolve) => setTimeout(resolve, 100))
    s.destroy()
    t.notMatch(Buffer.concat(out).toString(), 'relayed', JSON.stringify(request.split('\r\n')[0]))
  }
  t.equal(b.received.length, 0, 'nothing reached the upstream')
})

t.test('a promised verdict: pipelined calls, a body and a handover behave as with a verdict given at once', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok(`${methodOf(head)} ${pathOf(head)}`)) }, async (r) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    return r.target === '/careful' ? { kind: 'careful' } : relayAll(r)
  })
  const post = 'POST /containers/create HTTP/1.1\r\nHost: docker\r\nContent-Length: 2\r\n\r\n{}'
  const r = await b.exchange(get('/first') + post + get('/careful') + get('/last', 'Connection: close'))
  const text = r.bytes.toString()
  t.ok(text.startsWith(ok('GET /first') + ok('POST /containers/create')), 'the first two calls were relayed in order')
  t.match(text, /careful GET \/careful[^]*careful GET \/last/, 'the careful path took the rest')
  t.equal(Buffer.concat(b.received[0] ?? []).toString(), get('/first') + post, 'the body went up after its head, once')
})

t.test('sent and answered mark each exchange: its request gone upstream, the first bytes of its answer (a 1xx included)', async (t) => {
  const events: string[] = []
  const b = await bed(t, (head, s) => {
    events.push(`upstream got ${pathOf(head)}`)
    if (pathOf(head) === '/early') s.write('HTTP/1.1 103 Early Hints\r\n\r\n')
    setTimeout(() => { s.write(ok('x')) }, 20)
  }, (r) => ({ ...relayAll(r), sent: () => events.push(`sent ${r.target}`), answered: () => events.push(`answered ${r.target}`) }))
  await b.exchange(get('/one') + get('/early', 'Connection: close'))
  t.same(events.filter((e) => !e.startsWith('upstream')), ['sent /one', 'answered /one', 'sent /early', 'answered /early', 'answered /early'], 'each call is sent, then answered (twice for a 1xx and its final answer)')
  t.ok(events.indexOf('sent /one') < events.indexOf('answered /one'))
})

t.test('a request the decision leaves to the careful path is answered there, with the connection from then on', async (t) => {
  const b = await bed(t, (_head, s) => { s.write(ok('relayed')) }, (r) => r.target === '/careful' ? { kind: 'careful' } : relayAll(r))
  const r = await b.exchange(get('/first') + get('/careful') + get('/third', 'Connection: close'))
  const text = r.bytes.toString()
  t.match(text, /^HTTP\/1\.1 200 OK\r\nContent-Length: 7\r\n\r\nrelayed/, 'the first call was relayed')
  t.match(text, /careful GET \/careful/)
  t.match(text, /careful GET \/third/, 'node:http keeps the connection')
})

t.test('a verdict may take an answer back before anything of it is passed on (client-proxy\'s 401 retry)', async (t) => {
  const b = await bed(t, (_head, s) => { s.write('HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope') }, (r) => ({ ...relayAll(r), onResponse: (status) => status === 401 ? 'careful' : 'pass' }))
  const r = await b.exchange(get('/_ping', 'Connection: close'))
  t.match(r.bytes.toString(), /careful GET \/_ping/)
  t.notMatch(r.bytes.toString(), /nope/)
})

t.test('an upstream that hangs up before answering gets the client a 502; mid-answer, a cut connection', async (t) => {
  const b = await bed(t, (head, s) => {
    if (pathOf(head) === '/gone') s.destroy()
    else s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part')
  })
  const r = await b.exchange(get('/gone'))
  t.match(r.bytes.toString(), /^HTTP\/1\.1 502 Bad Gateway\r\n[\s\S]*Connection: close/)
  const r2 = await b.exchange(get('/partial'))
  t.equal(r2.bytes.toString(), 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part', 'what came is passed on, then the connection is cut')
  t.ok(b.ended.at(-1)?.error, 'the exchange ended with an error')
})

t.test('the verdict says what a 502 for an answer lost before its first byte tells the client', async (t) => {
  const b = await bed(t, (_head, s) => { s.destroy() }, (r) => ({ ...relayAll(r), lostBeforeAnswer: () => `the manager went away during ${r.method} ${r.target}` }))
  const r = await b.exchange('POST /containers/x/exec HTTP/1.1\r\nHost: docker\r\nContent-Length: 2\r\n\r\n{}')
  t.match(r.bytes.toString(), /^HTTP\/1\.1 502 Bad Gateway\r\n[\s\S]*\{"message":"the manager went away during POST \/containers\/x\/exec"\}/)
})

t.test('an answer the upstream frames wrongly cuts the connection instead of being guessed at', async (t) => {
  for (const bad of ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', 'NOT HTTP\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']) {
    const b = await bed(t, (_head, s) => { s.write(bad) })
    const r = await b.exchange(get('/x'))
    t.notMatch(r.bytes.toString(), /^HTTP\/1\.1 200 OK\r\nContent-Length: 1/, JSON.stringify(bad))
    t.ok(b.ended.length <= 1)
  }
})

t.test('half-close: calls sent before the FIN are answered, then the connection ends', async (t) => {
  const b = await bed(t, (head, s) => { s.write(ok(pathOf(head))) })
  const r = await b.exchange(get('/one') + get('/two'), { halfClose: true })
  t.equal(r.bytes.toString(), ok('/one') + ok('/two'))
})

t.test('half-close during an answer that goes on (logs -f, then ctrl-C): the connection is cut, upstream too', async (t) => {
  let upstreamClosed: Promise<unknown> = Promise.resolve()
  const b = await bed(t, (_head, s) => {
    upstreamClosed = once(s, 'close')
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
    const timer = setInterval(() => { s.write('5\r\ntick\n\r\n') }, 100)
    s.on('close', () => clearInterval(timer))
  })
  const r = await b.exchange(get('/containers/x/logs?follow=1'), { halfClose: true })
  t.match(r.bytes.toString(), /^HTTP\/1\.1 200 OK/)
  await upstreamClosed
  t.pass('the upstream connection was closed too')
  t.equal(b.ended[0]?.clientAborted, true, 'the exchange ended by the client')
})

t.test('a client that goes away mid-upload ends the upstream connection', async (t) => {
  let upstreamClosed: Promise<unknown> = Promise.resolve()
  const b = await bed(t, (_head, s) => { upstreamClosed = once(s, 'close') })
  const s = await b.connect()
  s.write('POST /images/load HTTP/1.1\r\nHost: docker\r\nContent-Length: 1000000\r\n\r\npartial')
  await new Promise((resolve) => setTimeout(resolve, 50))
  s.destroy()
  await upstreamClosed
  t.pass('closed')
  t.ok(b.ended[0]?.error, 'the exchange ended with an error')
  t.equal(b.ended[0]?.clientAborted, true, 'said to be the client\'s doing')
})

t.test('a head with bare LF line ends is handed over at once, to be refused there, not waited on', async (t) => {
  const b = await bed(t, (_head, s) => { s.write(ok('relayed')) })
  const r = await b.exchange('GET /_ping HTTP/1.1\nHost: docker\n')
  t.match(r.bytes.toString(), /^HTTP\/1\.1 400/, 'node:http answers it')
  t.equal(b.received.length, 0)
})

t.test('broken chunked framing in a request body cuts the connection (what follows could be a hidden request)', async (t) => {
  const b = await bed(t, (head, s) => { if (methodOf(head) === 'GET') s.write(ok('still here')) })
  const r = await b.exchange('POST /build HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nGET /hidden HTTP/1.1\r\n\r\n')
  t.equal(r.bytes.length, 0, 'nothing answered')
  t.notMatch(Buffer.concat(b.received[0] ?? []).toString(), /hidden/, 'the hidden request never went upstream')
  const again = await b.exchange(get('/_ping', 'Connection: close'))
  t.equal(again.bytes.toString(), ok('still here'), 'the relay still serves connections after it')
})
