import t from 'tap'
import { BodyScanner, headEnd, messageFraming, parseHead, responseFraming, type BodyFraming } from '../../src/relay/framing.js'
import { buildHead } from '../../src/relay/head.js'

/** Scans `bytes` cut into pieces of `step` bytes; returns how many belonged to the body. */
function scanInPieces (framing: BodyFraming, bytes: Buffer, step: number): { body: number, done: boolean } {
  const scanner = new BodyScanner(framing)
  let body = 0
  for (let i = 0; i < bytes.length && !scanner.done; i += step) body += scanner.scan(bytes.subarray(i, i + step))
  return { body, done: scanner.done }
}

t.test('a head ends at its blank line, wherever the bytes were cut', async (t) => {
  const bytes = Buffer.from('GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\nGET /next')
  t.equal(headEnd(bytes), 37)
  t.equal(headEnd(bytes.subarray(0, 36)), -1, 'not yet: the last LF is missing')
  const head = parseHead(bytes.subarray(0, 37))
  t.same(head, { parts: ['GET', '/_ping', 'HTTP/1.1'], rawHeaders: ['Host', 'docker'] })
})

t.test('header names, order, duplicates and values survive; blanks around values go', async (t) => {
  const head = parseHead(Buffer.from('POST /build HTTP/1.1\r\nX-Docker-Expose-Session-Grpc-Method: /a\r\nx-docker-expose-session-grpc-method:/b\r\nContent-Type:  application/x-tar \t\r\n\r\n'))
  t.same(head?.rawHeaders, ['X-Docker-Expose-Session-Grpc-Method', '/a', 'x-docker-expose-session-grpc-method', '/b', 'Content-Type', 'application/x-tar'])
  t.equal(buildHead(['POST', '/build', 'HTTP/1.1'], head?.rawHeaders ?? []).toString('latin1'),
    'POST /build HTTP/1.1\r\nX-Docker-Expose-Session-Grpc-Method: /a\r\nx-docker-expose-session-grpc-method: /b\r\nContent-Type: application/x-tar\r\n\r\n')
})

t.test('heads that are not plain HTTP/1.1 are not parsed (the careful path gets them)', async (t) => {
  for (const text of [
    'GET / HTTP/1.1\nHost: a\r\n\r\n', // bare LF
    'GET / HTTP/1.1\r\nHost: a\r\n continued\r\n\r\n', // obsolete folding
    'GET / HTTP/1.1\r\nHost : a\r\n\r\n', // blank before the colon
    'GET / HTTP/1.1\r\nNo colon here\r\n\r\n',
    'GET / HTTP/1.1\r\nX: a\rb\r\n\r\n', // bare CR in a value
    'GET / HTTP/1.1\r\nX: a\0b\r\n\r\n', // NUL in a value
    'GET  HTTP/1.1\r\n\r\n', // empty target
    'GET\r\n\r\n'
  ]) t.equal(parseHead(Buffer.from(text, 'latin1')), undefined, JSON.stringify(text))
})

t.test('request framing: length, chunked, none; ambiguity refused', async (t) => {
  t.same(messageFraming(['Content-Length', '12'], true), { kind: 'length', length: 12 })
  t.same(messageFraming(['Content-Length', '0'], true), { kind: 'none' })
  t.same(messageFraming(['Transfer-Encoding', 'chunked'], true), { kind: 'chunked' })
  t.same(messageFraming(['transfer-encoding', 'Chunked'], true), { kind: 'chunked' })
  t.same(messageFraming(['Host', 'x'], true), { kind: 'none' })
  t.equal(messageFraming(['Transfer-Encoding', 'chunked', 'Content-Length', '5'], true), undefined, 'both: a smuggling attempt')
  t.equal(messageFraming(['Content-Length', '5', 'Content-Length', '5'], true), undefined, 'twice')
  t.equal(messageFraming(['Content-Length', '+5'], true), undefined)
  t.equal(messageFraming(['Content-Length', '5, 5'], true), undefined)
  t.equal(messageFraming(['Transfer-Encoding', 'gzip, chunked'], true), undefined, 'codings the relay does not know')
  t.equal(messageFraming(['Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'], true), undefined)
})

t.test('response framing: HEAD, 1xx, 204 and 304 have no body; no length means until close', async (t) => {
  t.same(responseFraming('HEAD', 200, ['Content-Length', '100']), { kind: 'none' })
  t.same(responseFraming('GET', 204, ['Content-Length', '100']), { kind: 'none' })
  t.same(responseFraming('GET', 304, ['Transfer-Encoding', 'chunked']), { kind: 'none' })
  t.same(responseFraming('POST', 100, []), { kind: 'none' })
  t.same(responseFraming('GET', 200, ['Content-Length', '3']), { kind: 'length', length: 3 })
  t.same(responseFraming('GET', 200, ['Transfer-Encoding', 'chunked']), { kind: 'chunked' })
  t.same(responseFraming('POST', 200, ['Content-Type', 'application/vnd.docker.raw-stream']), { kind: 'close' })
  t.same(responseFraming('GET', 200, ['Transfer-Encoding', 'gzip']), { kind: 'close' })
  t.equal(responseFraming('GET', 200, ['Transfer-Encoding', 'chunked', 'Content-Length', '3']), undefined)
})

t.test('a content-length body ends after its bytes, cut anywhere', async (t) => {
  const bytes = Buffer.concat([Buffer.alloc(100_000, 1), Buffer.from('GET /next')])
  for (const step of [1, 7, 16384, 200_000]) t.same(scanInPieces({ kind: 'length', length: 100_000 }, bytes, step), { body: 100_000, done: true }, `pieces of ${step}`)
})

t.test('a chunked body ends after its last chunk and trailers, cut anywhere', async (t) => {
  const body = '5\r\nhello\r\n1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: yes\r\n\r\n'
  const bytes = Buffer.from(`${body}GET /next HTTP/1.1\r\n\r\n`)
  for (const step of [1, 2, 3, 5, 13, 1000]) t.same(scanInPieces({ kind: 'chunked' }, bytes, step), { body: body.length, done: true }, `pieces of ${step}`)
  const plain = '4\r\nwiki\r\n0\r\n\r\n'
  t.same(scanInPieces({ kind: 'chunked' }, Buffer.from(plain + 'rest'), 1), { body: plain.length, done: true }, 'without trailers')
  t.same(scanInPieces({ kind: 'chunked' }, Buffer.from('a\r\n0123456789\r\n'), 4), { body: 15, done: false }, 'not over before the last chunk')
})

t.test('a chunk larger than any piece (a 1 MiB chunk in 16 KiB reads)', async (t) => {
  const size = 1024 * 1024
  const bytes = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 7), Buffer.from('\r\n0\r\n\r\n')])
  t.same(scanInPieces({ kind: 'chunked' }, bytes, 16384), { body: bytes.length, done: true })
})

t.test('malformed chunked framing throws instead of guessing', async (t) => {
  for (const text of ['x\r\n', '5\r\nhelloXY', '5\nhello\r\n', '\r\n', '5\r\nhello\r\n0\r\nbad\nline\r\n\r\n', `${'f'.repeat(16)}\r\n`]) {
    t.throws(() => new BodyScanner({ kind: 'chunked' }).scan(Buffer.from(text)), JSON.stringify(text))
  }
})

t.test('a body until close is never done; none is done at once', async (t) => {
  t.same(scanInPieces({ kind: 'close' }, Buffer.alloc(10), 3), { body: 10, done: false })
  t.same(scanInPieces({ kind: 'none' }, Buffer.from('GET'), 3), { body: 0, done: true })
})
