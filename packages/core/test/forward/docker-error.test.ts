import t from 'tap'
import { Duplex } from 'node:stream'
import { answerClientError } from '../../src/forward/docker-error.js'

/** A socket stand-in that records what is written to it. */
function fakeSocket (opts: { headersSent?: boolean } = {}): Duplex & { written: () => string, _httpMessage: { headersSent: boolean } | null } {
  const chunks: Buffer[] = []
  const socket = new Duplex({
    read () {},
    write (chunk: Buffer, _enc, callback) { chunks.push(chunk); callback() }
  }) as Duplex & { written: () => string, _httpMessage: { headersSent: boolean } | null }
  socket.written = () => Buffer.concat(chunks).toString()
  socket._httpMessage = opts.headersSent === undefined ? null : { headersSent: opts.headersSent }
  return socket
}

for (const [what, code, status, message] of [
  ['a head over the limit', 'HPE_HEADER_OVERFLOW', 'HTTP/1.1 431 Request Header Fields Too Large', 'swarmgate: the request\'s headers are larger than 1 MiB, the most the Docker engine accepts'],
  ['a request that cannot be parsed', 'HPE_INVALID_METHOD', 'HTTP/1.1 400 Bad Request', 'swarmgate: the request could not be read (HPE_INVALID_METHOD)']
] as const) {
  t.test(`${what} is answered with a Docker-style error`, async (t) => {
    const socket = fakeSocket()
    answerClientError(Object.assign(new Error(code), { code }), socket)
    await new Promise((resolve) => setImmediate(resolve))
    const [head, body] = socket.written().split('\r\n\r\n') as [string, string]
    t.equal(head.split('\r\n')[0], status)
    t.same(JSON.parse(body), { message })
  })
}

t.test('nothing is written when the peer reset, or an answer has already started', async (t) => {
  for (const [what, socket, err] of [
    ['reset', fakeSocket(), Object.assign(new Error('reset'), { code: 'ECONNRESET' })],
    ['answer started', fakeSocket({ headersSent: true }), Object.assign(new Error('bad'), { code: 'HPE_INVALID_CHUNK_SIZE' })]
  ] as const) {
    answerClientError(err, socket)
    t.equal(socket.destroyed, true, `${what}: the socket is destroyed`)
    t.equal(socket.written(), '', `${what}: nothing is written`)
  }
})
