/**
 * What both proxies' listeners do with Docker API traffic, declared once so a fix to one is a fix
 * to both: heads as large as dockerd accepts, no timeouts (logs -f, events and uploads may be
 * silent or slow for hours), the upgrades the Docker API answers handed on half-open and others
 * refused, unreadable requests answered, and every connection tracked so close() can end the
 * hijacked ones too (they are no longer HTTP connections the server knows of).
 */
import type http from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from '../logger.js'
import { MAX_HEADER_BYTES } from './headers.js'
import { isDockerUpgrade } from './upgrade.js'
import { answerClientError, writeDockerErrorToSocket } from './docker-error.js'

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
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isDockerUpgrade(req) || hooks.refuseUpgrade?.(req) === true) {
      writeDockerErrorToSocket(socket, 400, `swarmgate: unsupported upgrade to ${String(req.headers.upgrade)}`)
      return
    }
    // Half-open only once hijacked: the CLI closes its write side when stdin ends and keeps
    // reading. Plain HTTP connections stay full-close, or a client's FIN after an aborted call
    // would leave a TLS socket in CLOSE-WAIT for good.
    socket.allowHalfOpen = true
    hooks.upgrade(req, socket, head).catch((err: unknown) => { hooks.logger.error({ err }, 'hijack failed'); socket.destroy() })
  })
  server.on('clientError', answerClientError)
  server.on('connection', (socket: Duplex) => { hooks.sockets.add(socket); socket.once('close', () => hooks.sockets.delete(socket)) })
  return server
}
