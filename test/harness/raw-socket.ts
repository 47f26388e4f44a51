/**
 * Raw bytes to any of the three Docker endpoints a hardening test compares: client-proxy (plain
 * TCP on 127.0.0.1), server-proxy (TLS) and the engine socket (unix). The connection is opened
 * half-open, so a test can close its write side after the request and still read the answer, and
 * everything the server sends is kept until it closes.
 */
import net from 'node:net'
import tls from 'node:tls'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseResponse, type ParsedResponse } from './tls-exchange.js'

/** Where to connect. */
export type RawTarget =
  | { readonly kind: 'tcp', readonly port: number }
  | { readonly kind: 'tls', readonly port: number, readonly ca: string }
  | { readonly kind: 'unix', readonly path: string }

export interface RawSocket {
  /** Writes `bytes` (nothing once the server has closed). */
  write (bytes: string | Buffer): void
  /** Closes the write side (FIN; TLS: close_notify then FIN). */
  end (): void
  /** Resolves true once the server has closed its side (or the connection), false after `timeoutMs`. */
  serverClosed (timeoutMs: number): Promise<boolean>
  /** The responses received so far, in order, and the bytes after the last complete one. */
  responses (): { responses: ParsedResponse[], rest: Buffer }
  /** Waits until `count` complete responses arrived or `timeoutMs` passed; returns them. */
  waitResponses (count: number, timeoutMs: number): Promise<ParsedResponse[]>
  destroy (): void
}

/** Opens a half-open connection to `target`. */
export async function openRaw (target: RawTarget): Promise<RawSocket> {
  const socket = target.kind === 'tls'
    ? tls.connect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost', allowHalfOpen: true } as tls.ConnectionOptions)
    : target.kind === 'tcp'
      ? net.connect({ host: '127.0.0.1', port: target.port, allowHalfOpen: true })
      : net.connect({ path: target.path, allowHalfOpen: true })
  let data: Buffer = Buffer.alloc(0)
  let ended = false
  socket.on('data', (c: Buffer) => { data = Buffer.concat([data, c]) })
  socket.on('error', () => {})
  const closed = new Promise<void>((resolve) => {
    socket.on('end', () => { ended = true; resolve() })
    socket.on('close', () => { ended = true; resolve() })
  })
  await once(socket, target.kind === 'tls' ? 'secureConnect' : 'connect')
  const parsed = (): { responses: ParsedResponse[], rest: Buffer } => {
    const responses: ParsedResponse[] = []
    let rest = data
    for (;;) {
      const next = parseResponse(rest, ended)
      if (next === undefined) return { responses, rest }
      responses.push(next.response)
      if (next.rest.length === rest.length) return { responses, rest: next.rest }
      rest = next.rest
      if (rest.length === 0) return { responses, rest }
    }
  }
  return {
    write: (bytes) => { if (!socket.destroyed && socket.writable) socket.write(bytes) },
    end: () => { socket.end() },
    serverClosed: async (timeoutMs) => await Promise.race([closed.then(() => true), sleep(timeoutMs).then(() => false)]),
    responses: parsed,
    waitResponses: async (count, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      while (parsed().responses.length < count && !ended && Date.now() < deadline) await sleep(10)
      return parsed().responses
    },
    destroy: () => { socket.destroy() }
  }
}
