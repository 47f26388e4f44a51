/**
 * Forwards a hijacked call (Connection: Upgrade with Upgrade: tcp or h2c): attach, exec start,
 * BuildKit's /session and /grpc; WebSocket attach goes the same way. node-http-proxy cannot
 * carry these (see docs/decisions.md), so this is done by hand: a dedicated upstream connection,
 * the request line and raw headers written as received, then whatever body bytes came with the
 * upgrade (exec start's JSON arrives in `head` and the engine reads it before answering 101),
 * then, once the engine has answered 101, bytes piped both ways (a refused upgrade carries nothing
 * more to the engine). The engine's answer passes through byte for byte. Each direction
 * ends on its own (half-close: the CLI closes its write side when stdin ends and keeps reading),
 * and when either socket closes both are destroyed so no attach stays open on the engine.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Upstream } from './upstream.js'
import { writeDockerErrorToSocket } from './docker-error.js'
import { describeUpstreamError } from './upstream-error.js'
import { gateUpgrade } from './upgrade-gate.js'
import { ERROR_HEADER, GATEWAY_CODES } from '../protocol.js'

export interface UpgradeOutcome {
  /** The status on the upstream's first response line, 0 if none arrived. */
  readonly status: number
  readonly bytesIn: number
  readonly bytesOut: number
  readonly error?: Error
}

/**
 * True for the upgrades the Docker API answers: `tcp` and `h2c` (hijacked attach, exec start,
 * BuildKit) and `websocket` (/containers/{id}/attach/ws, which web UIs use). All of them are
 * carried the same way, byte for byte after the engine's 101.
 */
export function isDockerUpgrade (req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade?.toLowerCase()
  return upgrade === 'tcp' || upgrade === 'h2c' || upgrade === 'websocket'
}

/** Serialises a request head from its raw headers exactly as received. */
function requestHead (req: IncomingMessage, path: string, headers: readonly string[]): string {
  let head = `${req.method ?? 'GET'} ${path} HTTP/1.1\r\n`
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i] as string}: ${headers[i + 1] as string}\r\n`
  return head + '\r\n'
}

/** Forwards an upgrade request taken from the server's 'upgrade' event; resolves when both sides closed. */
export async function forwardUpgrade (
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  opts: {
    readonly upstream: Upstream
    readonly headers: readonly string[]
    /** The path and query to send instead of `req.url` (the gateway pins a name to the ID it checked). */
    readonly path?: string
  }
): Promise<UpgradeOutcome> {
  client.on('error', () => client.destroy())
  let upstream: Duplex
  try {
    upstream = await opts.upstream.connect()
  } catch (err) {
    const failure = describeUpstreamError(err as Error, opts.upstream.name)
    // Nothing was sent: the code tells a client so (docs/protocol.md, X-Swarmgate-Error).
    writeDockerErrorToSocket(client, failure.statusCode, failure.message, { [ERROR_HEADER]: GATEWAY_CODES.engineUnreachable })
    return { status: failure.statusCode, bytesIn: 0, bytesOut: 0, error: err as Error }
  }
  if (client.destroyed) {
    upstream.destroy()
    return { status: 0, bytesIn: 0, bytesOut: 0 }
  }

  return await new Promise<UpgradeOutcome>((resolve) => {
    let status = 0
    let bytesOut = 0
    let error: Error | undefined
    let closed = 0
    const gate = gateUpgrade(client, upstream, Math.max(0, declaredBodyLength(req) - head.length))
    const outcome = (): UpgradeOutcome => {
      const bytes = { status, bytesIn: head.length + gate.bytesIn, bytesOut }
      return error === undefined ? bytes : { ...bytes, error }
    }
    const onClose = (): void => {
      client.destroy()
      upstream.destroy()
      if (++closed === 2) resolve(outcome())
    }
    upstream.on('error', (err: Error) => { error ??= err; upstream.destroy() })
    client.on('close', onClose)
    upstream.on('close', onClose)
    upstream.on('data', (chunk: Buffer) => {
      if (bytesOut === 0) {
        status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(chunk.toString('latin1', 0, 16))?.[1] ?? 0)
        // A refused upgrade (no such exec, a 500...) leaves a connection on which the engine would
        // read whatever comes next as a new request the gateway never checked.
        if (status === 101) gate.open(); else gate.refuse()
      }
      bytesOut += chunk.length
    })

    upstream.write(requestHead(req, opts.path ?? req.url ?? '/', opts.headers))
    if (head.length > 0) upstream.write(head)
    upstream.pipe(client)
  })
}

/** The request body's length as declared; the docker CLI frames upgrade bodies with Content-Length. */
function declaredBodyLength (req: IncomingMessage): number {
  const length = Number(req.headers['content-length'] ?? 0)
  return Number.isSafeInteger(length) && length > 0 ? length : 0
}
