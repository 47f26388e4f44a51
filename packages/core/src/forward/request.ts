/**
 * Forwards one plain (not hijacked) Docker API call: the request body streams up as it arrives,
 * the response streams down with backpressure, response headers are flushed at once (the CLI
 * waits for the headers of POST /containers/{id}/wait before it starts the container), and a
 * client that goes away aborts the upstream call.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import type { Upstream } from './upstream.js'
import { endToEndHeaders } from './headers.js'
import { coalesce } from './coalesce.js'

export type ForwardOutcome =
  /** The upstream answered and the answer was passed on (or the client left while it streamed). */
  | { readonly kind: 'forwarded', readonly status: number, readonly clientAborted: boolean }
  /** The upstream answered with a status the caller asked to handle itself; nothing was sent. */
  | { readonly kind: 'declined', readonly status: number }
  /** The upstream call failed; `responded` tells whether a response had already started. */
  | { readonly kind: 'failed', readonly error: Error, readonly responded: boolean }

export interface ForwardRequestOptions {
  readonly upstream: Upstream
  /** The raw request headers to send upstream (end-to-end headers only; see endToEndHeaders). */
  readonly headers: readonly string[]
  /**
   * Answers the caller handles itself when they come back (by status and raw headers); honoured
   * only where the call can be sent again: without a body, or with `body` given.
   */
  readonly decline?: (status: number, rawHeaders: readonly string[]) => boolean
  /** The body already read (the gateway read it to decide on it); sent as these exact bytes. */
  readonly body?: Buffer
  /** The path and query to send instead of `req.url` (the gateway pins a name to the ID it checked). */
  readonly path?: string
  /**
   * Send the call once more when its connection fails before any answer: for a read without a
   * body only (it changed nothing). A kept connection the upstream closed as the call went out
   * then costs a new connection instead of an error; an upstream that is gone fails the second
   * time too, with the error of connecting.
   */
  readonly resendWhenLost?: boolean
}

/**
 * How much of an answer may wait to be written to the client before the upstream call is paused.
 * A TLS socket reports itself full at 16 KiB on nearly every write, and each undici pause and
 * resume re-reads what the engine socket buffered meanwhile: pausing at every write made a 69 MB
 * `docker save` through server-proxy cost 24 s of CPU (2.5 MB/s; bench, issue 5). Per call, so a
 * slow client still holds the engine back after this much.
 */
export const RESPONSE_BUFFER_BYTES = 1024 * 1024

/** True when the request carries a body that has to be streamed upstream. */
export function hasRequestBody (req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  if (length !== undefined) return length !== '0'
  return req.headers['transfer-encoding'] !== undefined
}

/** Forwards `req` to the upstream and streams the answer into `res`. Never throws. */
export async function forwardRequest (req: IncomingMessage, res: ServerResponse, opts: ForwardRequestOptions): Promise<ForwardOutcome> {
  return await new Promise<ForwardOutcome>((resolve) => {
    const withBody = opts.body === undefined ? hasRequestBody(req) : opts.body.length > 0
    let abort: ((err?: Error) => void) | undefined
    let resume: (() => void) | undefined
    let status = 0
    let declined = false
    let bodyStarted = false
    let settled = false
    let corked = false
    // end() uncorks fully; after it the socket may already carry the next call's answer.
    const uncork = (): void => { corked = false; if (!res.writableEnded) res.uncork() }
    const settle = (outcome: ForwardOutcome): void => { if (!settled) { settled = true; resolve(outcome) } }

    const onClientClose = (): void => {
      if (res.writableFinished) return
      settle({ kind: 'forwarded', status, clientAborted: true })
      abort?.(new Error('client closed the connection'))
    }
    res.once('close', onClientClose)
    res.on('drain', () => resume?.())

    const handler: Dispatcher.DispatchHandler = {
      onConnect (a) {
        abort = a
        if (res.destroyed) a(new Error('client closed the connection'))
      },
      onHeaders (statusCode, rawHeaders, resumeUpstream, statusText) {
        status = statusCode
        resume = resumeUpstream
        const headers = rawHeaders.map(String)
        if (opts.decline?.(statusCode, headers) === true && (opts.body !== undefined || !withBody)) {
          declined = true
          abort?.(new Error('declined'))
          res.off('close', onClientClose)
          settle({ kind: 'declined', status: statusCode })
          return false
        }
        res.writeHead(statusCode, statusText, endToEndHeaders(headers))
        // Headers must not wait for a body that may never come (POST /containers/{id}/wait), but
        // when the body is already here (undici parses it in the same turn) they go out together
        // with it in one write: flush only after the current turn.
        queueMicrotask(() => { if (!bodyStarted && !res.destroyed) res.flushHeaders() })
        return true
      },
      onData (chunk) {
        bodyStarted = true
        // What arrives in one turn of the event loop (one TLS record per call here) goes to the
        // client in one write, not one syscall per 16 KiB record (see coalesce.ts).
        if (!corked) { corked = true; res.cork(); setImmediate(uncork) }
        return res.write(chunk) || res.writableLength < RESPONSE_BUFFER_BYTES
      },
      onComplete () {
        bodyStarted = true
        res.off('close', onClientClose)
        res.end()
        settle({ kind: 'forwarded', status, clientAborted: false })
      },
      onError (error) {
        if (!declined && !settled && !res.headersSent && resends > 0 && !res.destroyed) { resends--; send(); return }
        res.off('close', onClientClose)
        if (declined || settled) return
        if (res.headersSent) res.destroy(error)
        settle({ kind: 'failed', error, responded: res.headersSent })
      }
    }

    let resends = opts.resendWhenLost === true && !withBody ? 1 : 0
    const send = (): void => {
      opts.upstream.dispatcher.dispatch({
        origin: opts.upstream.origin,
        path: opts.path ?? req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers: opts.headers as string[],
        body: opts.body ?? (withBody ? coalesce(req) : null),
        // undici closes the connection after every HEAD (for servers that wrongly send a body);
        // the docker CLI starts every command with HEAD /_ping, so each command would pay a new
        // TLS handshake to server-proxy. Both upstreams (server-proxy, dockerd) answer HEAD right.
        reset: false,
        headersTimeout: 0,
        bodyTimeout: 0
      }, handler)
    }
    send()
  })
}
