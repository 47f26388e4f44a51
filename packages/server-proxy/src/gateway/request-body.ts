/**
 * Reads a request body the policy must decide on (a container or service spec). Such bodies are
 * small JSON documents; a larger one is refused rather than forwarded unread, since a body the
 * gateway did not read whole is a body it cannot vouch for.
 */
import type { IncomingMessage } from 'node:http'

/** The largest body the gateway reads to decide on: far above any spec the docker CLI sends. */
export const MAX_DECIDED_BODY_BYTES = 4 * 1024 * 1024

export type ReadBody =
  | { readonly kind: 'read', readonly bytes: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'aborted' }

/** Reads `req`'s whole body, up to `limit` bytes (node:http has already undone chunked framing). */
export async function readRequestBody (req: IncomingMessage, limit = MAX_DECIDED_BODY_BYTES): Promise<ReadBody> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) return { kind: 'too-large' }
  return await new Promise<ReadBody>((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const done = (result: ReadBody): void => {
      req.off('data', onData).off('end', onEnd).off('error', onAbort).off('close', onClose)
      resolve(result)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) { req.pause(); done({ kind: 'too-large' }); return }
      chunks.push(chunk)
    }
    const onEnd = (): void => { done({ kind: 'read', bytes: Buffer.concat(chunks, size) }) }
    const onAbort = (): void => { done({ kind: 'aborted' }) }
    const onClose = (): void => { if (!req.complete) done({ kind: 'aborted' }) }
    req.on('data', onData).on('end', onEnd).on('error', onAbort).on('close', onClose)
  })
}

/** How much of a refused request's unread body is read and dropped, at most, before the connection is cut. */
export const DISCARDED_BODY_BYTES = 64 * 1024 * 1024
const DISCARD_MS = 10_000

/**
 * Reads and drops the rest of a refused request's body, so the refusal reaches the client: a
 * connection closed with unread data in it is reset, and a client still sending its upload would
 * see the reset instead of the answer. Once the body has ended the connection serves the next
 * request as usual (node:http framed it); past the bounds in bytes or time it is cut.
 */
export function discardRequestBody (req: IncomingMessage): void {
  if (req.complete) return
  let dropped = 0
  const cut = (): void => { req.socket?.destroy() }
  const timer = setTimeout(cut, DISCARD_MS)
  timer.unref()
  req.on('data', (chunk: Buffer) => { dropped += chunk.length; if (dropped > DISCARDED_BODY_BYTES) cut() })
  req.once('close', () => clearTimeout(timer))
  req.resume()
}
