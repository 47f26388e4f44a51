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
