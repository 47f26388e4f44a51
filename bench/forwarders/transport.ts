/**
 * One hop of a transport candidate between client-proxy and server-proxy (issue 14: "fewer TLS
 * connections than CLI connections"), as a process of its own. Only the transport differs: no
 * HTTP is parsed, no token added or checked; every CLI connection is carried as bytes to a
 * connection of its own on the engine socket. TLS (the bench dockerd's certificates) between the
 * two hops.
 *
 *   transport.ts <pair|h2|frames> <client|server> <port> <next: server port | engine socket> <ca> <cert> <key>
 *
 * - pair: one TLS connection per CLI connection, as both proxies do today;
 * - h2: one HTTP/2 session; each CLI connection a CONNECT stream (node:http2, nghttp2's framing
 *   and per-stream flow control);
 * - frames: one TLS connection; each CLI connection a channel of 8-byte-headed frames (channel,
 *   length; length 0 ends it), the frames of one turn of the event loop written together. No flow
 *   control: a ceiling, not a design (a slow reader would hold every channel up).
 */
import http2 from 'node:http2'
import net from 'node:net'
import tls from 'node:tls'
import { readFileSync } from 'node:fs'
import type { Duplex } from 'node:stream'

const [kind = '', side = '', portText = '', next = '', caFile = '', certFile = '', keyFile = ''] = process.argv.slice(2)
const port = Number(portText)
const ca = readFileSync(caFile)
const serverTls = { cert: readFileSync(certFile), key: readFileSync(keyFile) }
const clientTls = { host: '127.0.0.1', port: Number(next), ca }

/** Carries bytes both ways; either end closing or failing ends both. */
function join (a: Duplex, b: Duplex): void {
  for (const [x, y] of [[a, b], [b, a]] as const) {
    x.on('error', () => y.destroy())
    x.on('close', () => y.destroy())
    x.pipe(y)
  }
}

function listenForCli (onConnection: (socket: net.Socket) => void): void {
  net.createServer({ noDelay: true }, onConnection).listen(port, '127.0.0.1')
}

const engine = (): net.Socket => net.connect(next)

/** The frames candidate's end of the one TLS connection: channels by number. */
class FrameWire {
  readonly #socket: tls.TLSSocket
  readonly #channels = new Map<number, Duplex>()
  readonly #open: ((id: number) => Duplex) | undefined
  #pending: Buffer = Buffer.alloc(0)
  #corked = false

  constructor (socket: tls.TLSSocket, open?: (id: number) => Duplex) {
    this.#socket = socket
    this.#open = open
    socket.on('data', (chunk: Buffer) => { this.#read(chunk) })
  }

  attach (id: number, local: Duplex): void {
    this.#channels.set(id, local)
    local.on('data', (chunk: Buffer) => { this.#send(id, chunk) })
    local.on('end', () => { this.#send(id, Buffer.alloc(0)); this.#channels.delete(id) })
    local.on('error', () => { this.#channels.delete(id) })
  }

  #send (id: number, chunk: Buffer): void {
    if (!this.#corked) {
      this.#corked = true
      this.#socket.cork()
      process.nextTick(() => { this.#corked = false; this.#socket.uncork() })
    }
    const head = Buffer.allocUnsafe(8)
    head.writeUInt32BE(id, 0)
    head.writeUInt32BE(chunk.length, 4)
    this.#socket.write(head)
    if (chunk.length > 0) this.#socket.write(chunk)
  }

  #read (chunk: Buffer): void {
    const data = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    let at = 0
    while (data.length - at >= 8) {
      const id = data.readUInt32BE(at)
      const length = data.readUInt32BE(at + 4)
      if (data.length - at - 8 < length) break
      let channel = this.#channels.get(id)
      if (channel === undefined && length > 0 && this.#open !== undefined) {
        channel = this.#open(id)
        this.attach(id, channel)
      }
      if (length === 0) { channel?.end(); this.#channels.delete(id) } else channel?.write(data.subarray(at + 8, at + 8 + length))
      at += 8 + length
    }
    this.#pending = data.subarray(at)
  }
}

const HOPS: Record<string, () => void> = {
  'pair server': () => { tls.createServer(serverTls, (socket) => { join(socket, engine()) }).listen(port, '127.0.0.1') },
  'pair client': () => { listenForCli((socket) => { join(socket, tls.connect(clientTls)) }) },
  'h2 server': () => {
    const server = http2.createSecureServer(serverTls)
    server.on('stream', (stream, headers) => {
      if (headers[':method'] !== 'CONNECT') { stream.respond({ ':status': 405 }); stream.end(); return }
      stream.respond({ ':status': 200 })
      join(stream, engine())
    })
    server.listen(port, '127.0.0.1')
  },
  'h2 client': () => {
    const session = http2.connect(`https://127.0.0.1:${next}`, { ca })
    listenForCli((socket) => { join(socket, session.request({ ':method': 'CONNECT', ':authority': 'engine:2375' })) })
  },
  'frames server': () => { tls.createServer(serverTls, (socket) => { void new FrameWire(socket, engine) }).listen(port, '127.0.0.1') },
  'frames client': () => {
    const wire = new FrameWire(tls.connect(clientTls))
    let channel = 0
    listenForCli((socket) => { wire.attach(++channel, socket) })
  }
}

const hop = HOPS[`${kind} ${side}`]
if (hop === undefined) throw new Error('usage: transport.ts <pair|h2|frames> <client|server> <port> <next> <ca> <cert> <key>')
hop()
