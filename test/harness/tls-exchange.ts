/**
 * HTTP/1.1 written byte by byte over TLS to server-proxy, for what no HTTP client sends: lower case
 * methods, absolute-form targets, chunk extensions, a body split across many writes, a second
 * request on a connection whose upgrade failed. The answer is read as raw bytes and parsed just
 * enough to assert on (status, headers, body).
 */
import tls from 'node:tls'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'

/** How a request's body is framed on the wire. */
export type Framing =
  /** Content-Length, head and body in one write. */
  | 'length'
  /** Transfer-Encoding: chunked, the body in three chunks. */
  | 'chunked'
  /** Chunked, with chunk extensions on every size line and a trailer. */
  | 'chunked-ext'
  /** Content-Length, the whole message written 7 bytes at a time. */
  | 'split'

export interface RawRequest {
  readonly method: string
  /** The request target exactly as written (origin-form, absolute-form, percent-encoded...). */
  readonly target: string
  /** Header lines in order; Host and the framing header are added unless given. */
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly body?: string | Buffer
  /** Default `length`. */
  readonly framing?: Framing
}

export interface ParsedResponse {
  readonly status: number
  /** Lower-case names; a repeated header keeps its last value. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
}

/** The bytes of `req`, as the writes to make. */
export function requestChunks (req: RawRequest): Buffer[] {
  const body = req.body === undefined ? undefined : Buffer.from(req.body)
  const framing = req.framing ?? 'length'
  const given = new Set((req.headers ?? []).map(([name]) => name.toLowerCase()))
  const lines = [`${req.method} ${req.target} HTTP/1.1`]
  if (!given.has('host')) lines.push('Host: 127.0.0.1')
  for (const [name, value] of req.headers ?? []) lines.push(`${name}: ${value}`)
  const chunked = framing === 'chunked' || framing === 'chunked-ext'
  if (body !== undefined && !given.has('content-length') && !given.has('transfer-encoding')) {
    lines.push(chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`)
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1')
  if (body === undefined) return [head]
  if (chunked) {
    const ext = framing === 'chunked-ext' ? ';swarmgate="ext";x=1' : ''
    const third = Math.ceil(body.length / 3)
    const parts = [0, 1, 2].map((i) => body.subarray(i * third, (i + 1) * third)).filter((p) => p.length > 0)
    const framed = parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}${ext}\r\n`), p, Buffer.from('\r\n')])
    const end = framing === 'chunked-ext' ? '0;last=1\r\nX-Trailer: 1\r\n\r\n' : '0\r\n\r\n'
    return [head, ...framed, Buffer.from(end)]
  }
  const whole = Buffer.concat([head, body])
  if (framing === 'split') {
    const pieces: Buffer[] = []
    for (let i = 0; i < whole.length; i += 7) pieces.push(whole.subarray(i, i + 7))
    return pieces
  }
  return [whole]
}

/** Parses the first complete response in `data`; undefined while it is incomplete. A 101 takes the rest as its body. */
export function parseResponse (data: Buffer, closed: boolean): { response: ParsedResponse, rest: Buffer } | undefined {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const [statusLine = '', ...headerLines] = data.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0)
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const rest = data.subarray(end + 4)
  if (status === 101) return { response: { status, headers, body: rest }, rest: Buffer.alloc(0) }
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const parts: Buffer[] = []
    let at = 0
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', at)
      if (lineEnd < 0) return closed ? { response: { status, headers, body: Buffer.concat(parts) }, rest: Buffer.alloc(0) } : undefined
      const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16)
      if (size === 0) {
        const trailerEnd = rest.indexOf('\r\n\r\n', lineEnd)
        if (trailerEnd < 0 && !closed) return undefined
        return { response: { status, headers, body: Buffer.concat(parts) }, rest: trailerEnd < 0 ? Buffer.alloc(0) : rest.subarray(trailerEnd + 4) }
      }
      if (rest.length < lineEnd + 2 + size + 2) return closed ? { response: { status, headers, body: Buffer.concat(parts) }, rest: Buffer.alloc(0) } : undefined
      parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
      at = lineEnd + 2 + size + 2
    }
  }
  const length = headers['content-length']
  if (length !== undefined) {
    const n = Number(length)
    if (rest.length < n) return closed ? { response: { status, headers, body: rest }, rest: Buffer.alloc(0) } : undefined
    return { response: { status, headers, body: rest.subarray(0, n) }, rest: rest.subarray(n) }
  }
  // No length: a 204/304 has no body; anything else runs until the connection closes.
  if (status === 204 || status === 304) return { response: { status, headers, body: Buffer.alloc(0) }, rest }
  return closed ? { response: { status, headers, body: rest }, rest: Buffer.alloc(0) } : undefined
}

/** One TLS connection to server-proxy, written to and read from by hand. */
export interface TlsConnection {
  /** Writes `chunks` one after the other, `gapMs` apart (0: as fast as the socket takes them). */
  write (chunks: readonly Buffer[], gapMs?: number): Promise<void>
  /** The next complete response; rejects after `timeoutMs` with what arrived. */
  response (timeoutMs?: number): Promise<ParsedResponse>
  /** True once the server closed (or reset) the connection. */
  readonly closed: boolean
  /** Resolves when the server closes the connection, false after `timeoutMs` if it did not. */
  waitClosed (timeoutMs: number): Promise<boolean>
  /** Bytes received that no response() took. */
  unread (): Buffer
  destroy (): void
}

/** Opens a TLS connection to `url` (https://127.0.0.1:port) trusting `ca`. */
export async function openTls (url: string, ca: string): Promise<TlsConnection> {
  const { hostname, port } = new URL(url)
  const socket = tls.connect({ host: hostname, port: Number(port), ca, servername: 'localhost' })
  let data: Buffer = Buffer.alloc(0)
  let closed = false
  socket.on('data', (c: Buffer) => { data = Buffer.concat([data, c]) })
  socket.on('error', () => {})
  const ended = new Promise<void>((resolve) => { socket.on('close', () => { closed = true; resolve() }) })
  await once(socket, 'secureConnect')
  return {
    write: async (chunks, gapMs = 0) => {
      for (const chunk of chunks) {
        // A server that answered early may close while the rest is still being written: the
        // answer, read next, is what the test looks at.
        if (closed || socket.destroyed || socket.writableEnded) return
        if (!socket.write(chunk)) await Promise.race([once(socket, 'drain').catch(() => {}), ended])
        if (gapMs > 0) await sleep(gapMs)
        else if (chunks.length > 1) await new Promise((resolve) => setImmediate(resolve))
      }
    },
    response: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const parsed = parseResponse(data, closed)
        if (parsed !== undefined) {
          data = parsed.rest
          return parsed.response
        }
        if (closed) throw new Error(`the connection closed before a complete response; received: ${JSON.stringify(data.toString('latin1').slice(0, 500))}`)
        if (Date.now() > deadline) throw new Error(`no complete response in ${timeoutMs} ms; received: ${JSON.stringify(data.toString('latin1').slice(0, 500))}`)
        await sleep(10)
      }
    },
    get closed () { return closed },
    waitClosed: async (timeoutMs) => await Promise.race([ended.then(() => true), sleep(timeoutMs).then(() => false)]),
    unread: () => data,
    destroy: () => { socket.destroy() }
  }
}

/** Sends `req` on a fresh connection and returns the first response; the connection is then closed. */
export async function exchange (url: string, ca: string, req: RawRequest, timeoutMs = 30_000): Promise<ParsedResponse> {
  const conn = await openTls(url, ca)
  try {
    await conn.write(requestChunks(req))
    return await conn.response(timeoutMs)
  } finally {
    conn.destroy()
  }
}
