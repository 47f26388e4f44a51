/**
 * What both proxies' listeners do with Docker API traffic, declared once so a fix to one is a fix
 * to both: heads as large as dockerd accepts, no timeouts (logs -f, events and uploads may be
 * silent or slow for hours), the upgrades the Docker API answers handed on half-open and others
 * refused, unreadable requests answered, a request whose client closed its write side after
 * sending it answered, and every connection tracked so close() can end the hijacked ones too (they
 * are no longer HTTP connections the server knows of).
 */
import type http from 'node:http'
import type net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import type { Logger } from '../logger.js'
import { MAX_HEADER_BYTES } from './headers.js'
import { isDockerUpgrade } from './upgrade.js'
import { answerClientError, writeDockerErrorToSocket } from './docker-error.js'

/**
 * How long a plain HTTP connection may stay silent once its client has closed its write side.
 * dockerd answers a request whose client then closes its write side (`printf 'GET /_ping ...' |
 * nc -q0` works on its socket), so the answer still goes out; but a client that closed for good
 * looks the same until a write is refused, and a silent stream (events, wait) would keep the
 * socket in CLOSE-WAIT for good: one that falls silent this long is cut.
 */
export const HALF_CLOSED_IDLE_MS = 10_000

/** How long an answer may still be under way after its client's FIN before it is taken as abandoned. */
export const ANSWER_GRACE_MS = 1_000

/** Options for http(s).createServer that every Docker API listener takes. */
export const DOCKER_SERVER_OPTIONS = { maxHeaderSize: MAX_HEADER_BYTES } as const

export interface DockerServerHooks {
  /** Handles an accepted upgrade; a rejection is logged and the socket destroyed. */
  readonly upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>
  /** Refuses an upgrade the Docker API would answer (server-proxy: its own reserved prefix). */
  readonly refuseUpgrade?: (req: http.IncomingMessage) => boolean
  /** Every open connection, hijacked ones included, kept here for close(). */
  readonly sockets: Set<Duplex>
  readonly logger: Logger
}

/** Wires `server` (created with DOCKER_SERVER_OPTIONS) for Docker API traffic; returns it. */
export function serveDockerApi<S extends http.Server> (server: S, hooks: DockerServerHooks): S {
  server.requestTimeout = 0
  server.timeout = 0
  // node:http then finishes the answer in progress after the client's FIN, and ends the
  // connection after it, instead of aborting the call (an undocumented field of http.Server).
  ;(server as S & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true
  const hijacked = new WeakSet<Duplex>()
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    hijacked.add(socket)
    if (!isDockerUpgrade(req) || hooks.refuseUpgrade?.(req) === true) {
      writeDockerErrorToSocket(socket, 400, `swarmgate: unsupported upgrade to ${String(req.headers.upgrade)}`)
      return
    }
    // The CLI closes its write side when stdin ends and keeps reading, for as long as the
    // session lasts: a hijacked connection is never cut for being half-closed.
    socket.allowHalfOpen = true
    hooks.upgrade(req, socket, head).catch((err: unknown) => { hooks.logger.error({ err }, 'hijack failed'); socket.destroy() })
  })
  server.on('clientError', answerClientError)
  // The sockets node:http reads requests from: TLS ones for https (whose 'connection' is TCP).
  server.on(server instanceof tls.Server ? 'secureConnection' : 'connection', (socket: net.Socket) => {
    hooks.sockets.add(socket)
    socket.once('close', () => hooks.sockets.delete(socket))
    socket.allowHalfOpen = true
    socket.once('end', () => {
      if (hijacked.has(socket) || socket.destroyed) return
      // Calls the client sent before its FIN are still answered, pipelined ones included. An
      // answer still under way a moment later is one it has stopped waiting for (ctrl-C on
      // logs -f; dockerd cancels the call at EOF too): cut, so the engine call ends and no
      // socket waits in CLOSE-WAIT. A half-closed connection that stays silent is cut as well.
      let last: unknown
      const check = (): void => {
        if (socket.destroyed || hijacked.has(socket)) return
        const current = (socket as net.Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage ?? undefined
        if (current !== undefined && current === last && current.headersSent === true) { socket.destroy(); return }
        last = current
        setTimeout(check, ANSWER_GRACE_MS).unref()
      }
      check()
      socket.setTimeout(HALF_CLOSED_IDLE_MS, () => { if (!hijacked.has(socket)) socket.destroy() })
    })
  })
  return server
}
