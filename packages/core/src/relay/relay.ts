/**
 * The fast path of a Docker API hop (issue 14): one client connection pinned to one upstream
 * connection, requests relayed as bytes. Only request heads are parsed (each is decided on, and
 * may be re-written: the Authorization header added or removed); bodies and responses pass through
 * as they arrive, scanned only for their framing, so the status can be reported and the end of
 * each response known, never parsed into objects and written again. One exchange at a time: a
 * pipelined request waits, already read, until the answer before it has ended.
 *
 * Whatever the fast path cannot handle with certainty goes to the careful path: the connection is
 * handed, at a request boundary and with the bytes read so far put back, to node:http and the
 * proxy's full pipeline, which keeps it from then on. That covers heads that are not plain
 * HTTP/1.1, ambiguous framing, upgrades and Expect, every request the decide hook will not relay,
 * an upstream that cannot be reached before anything was sent, and answers the verdict wants to
 * handle itself (client-proxy's 401 retry).
 */
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { MAX_HEADER_BYTES } from '../forward/headers.js'
import { ANSWER_GRACE_MS } from '../forward/docker-server.js'
import { dockerErrorBody } from '../forward/docker-error.js'
import { BodyScanner, headEnd, headerTokens, headerValues, messageFraming, parseHead, responseFraming, type BodyFraming } from './framing.js'

/**
 * A request head the fast path could read, for the decide hook. A connection's next request whose
 * head is byte for byte the previous one's (a CLI or SDK polling, a load) is given as the same
 * object, not parsed again: a hook may keep what it decided for it, as long as nothing else the
 * decision reads (the caller's token, a drain) has changed meanwhile.
 */
export interface RelayRequest {
  readonly method: string
  /** The request target as sent (origin-form: path and query). */
  readonly target: string
  readonly rawHeaders: readonly string[]
  /** How its body is delimited (none, length or chunked). */
  readonly framing: BodyFraming
}

/** How one relayed exchange ended, for the audit line. */
export interface RelayEnd {
  /** The final status passed on; 0 when none was. */
  readonly status: number
  /** Bytes of the request (head as received and body) and of the response passed on. */
  readonly bytesIn: number
  readonly bytesOut: number
  /** The connection ended before the exchange did. */
  readonly error?: Error
  /** It was the client that went away (closed, reset, or stopped waiting after its FIN). */
  readonly clientAborted?: boolean
}

export type RelayVerdict =
  | {
    readonly kind: 'relay'
    /** The head to send upstream in place of the one received (blank line included). */
    readonly head: Buffer
    /** Called once when the exchange is over. */
    readonly ended?: (end: RelayEnd) => void
    /**
     * Looks at the final response's status and headers before anything of it is passed on;
     * 'careful' drops the answer and hands the request to the careful path (only for a request
     * without a body, which can be sent again).
     */
    readonly onResponse?: (status: number, rawHeaders: readonly string[]) => 'pass' | 'careful'
    /**
     * When the upstream connection ends before a byte of the answer, hand the request (it has no
     * body) to the careful path instead of answering 502: for calls that may be sent again (reads).
     */
    readonly resendWhenLost?: boolean
    /** The sentence for a 502 when the upstream is gone before a byte of the answer and the request cannot be sent again. */
    readonly lostBeforeAnswer?: () => string
    /** The request went upstream (its head, and its body as it comes): a liveness watch starts waiting for its answer. */
    readonly sent?: () => void
    /** The first bytes of an answer came (a 1xx head included): the upstream is alive. */
    readonly answered?: () => void
  }
  | { readonly kind: 'careful' }

export interface RelayHooks {
  /**
   * Relay this request, or leave it (and the connection) to the careful path. Must not throw.
   * A verdict given at once is acted on at once; only a promised one pauses the client meanwhile.
   */
  readonly decide: (request: RelayRequest) => RelayVerdict | Promise<RelayVerdict>
  /** Opens an upstream connection (the engine socket, or TLS to a manager). */
  readonly connect: () => Promise<Duplex>
  /** Gives the connection to the careful path; the bytes not yet handled have been put back. */
  readonly handover: (socket: Duplex) => void
  /**
   * Takes back an upstream connection left idle between two exchanges (every answer on it ended,
   * nothing more sent) when the client closes or is handed over, so the next client connection
   * need not open (and, for TLS, handshake) its own; without it, such a connection is closed.
   */
  readonly release?: (upstream: Duplex) => void
  /** The longest request or response head read (default MAX_HEADER_BYTES, dockerd's). */
  readonly maxHeadBytes?: number
}

/** Relays `client` until it closes or is handed over. */
export function relayConnection (client: Duplex, hooks: RelayHooks): void {
  new RelayedConnection(client, hooks).start()
}

type Phase = 'head' | 'deciding' | 'exchange' | 'done'

const EMPTY = Buffer.alloc(0)
/** A request body longer than this is an upload, passed on in writes of BULK_BYTES (#bodyToUpstream). */
const BULK_AFTER = 1024 * 1024
const BULK_BYTES = 128 * 1024
const BULK_MS = 1
/** Reads smaller than this are gathered (a TLS record's 16 KiB is; a plain socket's 64 KiB is not). */
const SMALL_READ = 32 * 1024

/** One exchange in progress. */
interface Exchange {
  readonly request: RelayRequest
  /** The head as received, kept until a byte of the response is passed on (for the careful path). */
  readonly original: Buffer
  readonly verdict: Extract<RelayVerdict, { kind: 'relay' }>
  readonly body: BodyScanner
  /** Response bytes of a head still arriving. */
  responseHead: Buffer
  response: BodyScanner | undefined
  /** How the final response's body is delimited, once its head has come. */
  responseKind: BodyFraming['kind'] | undefined
  status: number
  /** Bytes passed to the client for this exchange. */
  bytesOut: number
  bytesIn: number
  /** Close both connections once it is over. */
  closeAfter: boolean
}

class RelayedConnection {
  readonly #client: Duplex
  readonly #hooks: RelayHooks
  readonly #maxHead: number
  #phase: Phase = 'head'
  #pending: Buffer = EMPTY
  #upstream: Duplex | undefined
  /** Removes this connection's listeners from #upstream (for release). */
  #detachUpstream: (() => void) | undefined
  #exchange: Exchange | undefined
  /** The last request read, with a copy of its head (the read it came in may be much larger). */
  #last: { readonly head: Buffer, readonly request: RelayRequest } | undefined
  /** Request body bytes of an upload waiting to be written as one (#bodyToUpstream). */
  #gathered: Buffer[] = []
  #gatheredBytes = 0
  #gatherTimer: NodeJS.Timeout | undefined
  /** Answer bytes gathered during one read of the upstream (#toClient). */
  #outgoing: Buffer[] = []
  #clientEnded = false
  /** Why the client is paused; it reads again once nothing holds it. */
  readonly #holds = new Set<'deciding' | 'upstream-full' | 'pending-full'>()

  constructor (client: Duplex, hooks: RelayHooks) {
    this.#client = client
    this.#hooks = hooks
    this.#maxHead = hooks.maxHeadBytes ?? MAX_HEADER_BYTES
  }

  readonly #onClientData = (chunk: Buffer): void => {
    if (this.#phase === 'exchange' && this.#exchange !== undefined && !this.#exchange.body.done) {
      let n: number
      try {
        n = this.#exchange.body.scan(chunk)
      } catch (err) {
        // Broken chunked framing: what follows cannot be told apart from a hidden request.
        this.#destroy(err as Error)
        return
      }
      this.#exchange.bytesIn += n
      this.#bodyToUpstream(this.#exchange, n === chunk.length ? chunk : chunk.subarray(0, n))
      if (n < chunk.length) this.#keep(chunk.subarray(n))
      if (this.#exchange.body.done) this.#finishIfOver()
      return
    }
    this.#keep(chunk)
    if (this.#phase === 'head') this.#next()
  }

  readonly #onClientEnd = (): void => {
    this.#clientEnded = true
    if (this.#phase === 'head') {
      // A request cut off in its head can never be answered.
      if (this.#pending.length === 0) this.#close()
      else this.#destroy()
      return
    }
    const exchange = this.#exchange
    if (exchange !== undefined && !exchange.body.done) { this.#destroy(new Error('the client closed its side before the request body ended'), true); return }
    // Calls sent before the FIN are still answered; an answer still under way a moment later is
    // one the client stopped waiting for (ctrl-C on logs -f): cut, so the engine call ends too.
    let last: Exchange | undefined
    const check = (): void => {
      if (this.#phase === 'done') return
      const current = this.#exchange
      if (current !== undefined && current === last && current.response !== undefined) { this.#destroy(new Error('the client went away during the answer'), true); return }
      last = current
      setTimeout(check, ANSWER_GRACE_MS).unref()
    }
    check()
  }

  start (): void {
    // Small writes (a head, a TTY keystroke) go out at once, as node:http's own sockets do.
    const tcp = this.#client as Duplex & { setNoDelay?: (on: boolean) => unknown }
    tcp.setNoDelay?.(true)
    this.#client.on('data', this.#onClientData)
    this.#client.on('end', this.#onClientEnd)
    this.#client.on('error', this.#onClientError)
    this.#client.on('close', this.#onClientClose)
  }

  readonly #onClientError = (err: Error): void => { this.#destroy(err, true) }
  readonly #onClientClose = (): void => { if (this.#phase !== 'done') this.#destroy(new Error('the client closed the connection'), true) }

  #hold (why: 'deciding' | 'upstream-full' | 'pending-full'): void {
    this.#holds.add(why)
    this.#client.pause()
  }

  #release (why: 'deciding' | 'upstream-full' | 'pending-full'): void {
    if (!this.#holds.delete(why)) return
    if (this.#holds.size === 0 && this.#phase !== 'done') this.#client.resume()
  }

  #keep (bytes: Buffer): void {
    this.#pending = this.#pending.length === 0 ? bytes : Buffer.concat([this.#pending, bytes])
    // A client that pipelines more than a head's worth waits until its calls are answered.
    if (this.#pending.length > this.#maxHead) this.#hold('pending-full')
  }

  /** Reads the next request head from what is pending and starts its exchange. */
  #next (): void {
    if (this.#phase !== 'head') return
    this.#release('pending-full')
    if (this.#pending.length === 0) {
      if (this.#clientEnded) this.#close()
      return
    }
    const end = headEnd(this.#pending)
    if (end === -1) {
      // node:http answers a head too large (431), or with bare LF line ends (400), as dockerd would.
      if (this.#pending.length > this.#maxHead || hasBareLineFeed(this.#pending)) this.#handover()
      else if (this.#clientEnded) this.#destroy()
      return
    }
    const original = this.#pending.subarray(0, end)
    const last = this.#last
    const request = last !== undefined && last.head.equals(original) ? last.request : this.#read(original)
    if (request === undefined) { this.#handover(); return }
    this.#phase = 'deciding'
    const verdict = this.#hooks.decide(request)
    if (!(verdict instanceof Promise)) { this.#decided(request, original, verdict); return }
    // The client's socket is paused only while waiting: a decision made at once (a token the
    // cache knows) costs no stop and restart of its reads.
    this.#hold('deciding')
    verdict.then((v) => { this.#decided(request, original, v) }, (err: unknown) => { this.#destroy(err as Error) })
  }

  /** Parses a new request head; undefined when the fast path cannot take it. */
  #read (original: Buffer): RelayRequest | undefined {
    const head = parseHead(original)
    const framing = head === undefined ? undefined : messageFraming(head.rawHeaders, true)
    if (head === undefined || framing === undefined || !plainRequest(head.parts, head.rawHeaders)) return undefined
    const request: RelayRequest = { method: head.parts[0], target: head.parts[1], rawHeaders: head.rawHeaders, framing }
    this.#last = { head: Buffer.from(original), request }
    return request
  }

  /** Acts on the verdict of the request being decided: relays it (connecting first if need be) or hands over. */
  #decided (request: RelayRequest, original: Buffer, verdict: RelayVerdict): void {
    if (this.#phase !== 'deciding') return
    if (verdict.kind === 'careful') { this.#handover(); return }
    if (this.#upstream !== undefined) { this.#begin(request, original, verdict); return }
    this.#hold('deciding')
    this.#hooks.connect().then((upstream) => {
      // The client went away meanwhile: nothing will use this connection.
      if (this.#phase !== 'deciding') { upstream.destroy(); return }
      this.#attach(upstream)
      this.#begin(request, original, verdict)
    }, () => {
      // Nothing was sent: the careful path tries again and answers the failure.
      if (this.#phase === 'deciding') this.#handover()
    }).catch((err: unknown) => { this.#destroy(err as Error) })
  }

  #begin (request: RelayRequest, original: Buffer, verdict: Extract<RelayVerdict, { kind: 'relay' }>): void {
    const exchange: Exchange = {
      request,
      original,
      verdict,
      body: new BodyScanner(request.framing),
      responseHead: EMPTY,
      response: undefined,
      responseKind: undefined,
      status: -1,
      bytesOut: 0,
      bytesIn: original.length,
      closeAfter: headerTokens(request.rawHeaders, 'connection').includes('close')
    }
    this.#exchange = exchange
    this.#phase = 'exchange'
    let rest = this.#pending.subarray(original.length)
    this.#pending = EMPTY
    let n: number
    try {
      n = exchange.body.scan(rest)
    } catch (err) {
      this.#destroy(err as Error)
      return
    }
    exchange.bytesIn += n
    // The head and the body bytes that came with it go out as one write.
    this.#toUpstream(n === 0 ? verdict.head : Buffer.concat([verdict.head, rest.subarray(0, n)]))
    verdict.sent?.()
    rest = rest.subarray(n)
    if (rest.length > 0) this.#keep(rest)
    this.#release('deciding')
  }

  /**
   * Passes request body bytes on. Past BULK_AFTER bytes (an upload: docker load, cp in, a build
   * context), small reads are gathered into writes of BULK_BYTES, or whatever came within
   * BULK_MS: each read of a TLS connection gives one 16 KiB record, and a write per record woke
   * the engine for each one. Reads as large as a plain socket's (64 KiB) go on as they are.
   */
  #bodyToUpstream (exchange: Exchange, bytes: Buffer): void {
    if (bytes.length === 0) return
    const gather = !exchange.body.done && exchange.bytesIn > BULK_AFTER && bytes.length < SMALL_READ
    if (!gather) {
      this.#sendGathered()
      this.#toUpstream(bytes)
      return
    }
    this.#gathered.push(bytes)
    this.#gatheredBytes += bytes.length
    if (this.#gatheredBytes >= BULK_BYTES) this.#sendGathered()
    else this.#gatherTimer ??= setTimeout(this.#sendGathered, BULK_MS)
  }

  /** Writes the gathered body bytes as one write (writev on a plain socket: no copy). */
  readonly #sendGathered = (): void => {
    clearTimeout(this.#gatherTimer)
    this.#gatherTimer = undefined
    const pieces = this.#gathered
    if (pieces.length === 0) return
    this.#gathered = []
    this.#gatheredBytes = 0
    const upstream = this.#upstream
    if (upstream === undefined || upstream.destroyed) return
    upstream.cork()
    let more = true
    for (const piece of pieces) more = upstream.write(piece)
    upstream.uncork()
    if (!more) this.#holdUntilDrained(upstream)
  }

  #toUpstream (bytes: Buffer): void {
    if (bytes.length === 0) return
    const upstream = this.#upstream
    if (upstream === undefined || upstream.destroyed) return
    if (!upstream.write(bytes)) this.#holdUntilDrained(upstream)
  }

  /** The upstream's buffer is full: the client waits until it drains. */
  #holdUntilDrained (upstream: Duplex): void {
    this.#hold('upstream-full')
    upstream.once('drain', () => { this.#release('upstream-full') })
  }

  #attach (upstream: Duplex): void {
    this.#upstream = upstream
    const data = (chunk: Buffer): void => { if (this.#upstream === upstream) this.#onUpstreamData(chunk) }
    const error = (): void => { upstream.destroy() }
    const gone = (): void => { if (this.#upstream === upstream) this.#onUpstreamGone() }
    upstream.on('data', data)
    upstream.on('error', error)
    upstream.on('end', gone)
    upstream.on('close', gone)
    this.#detachUpstream = () => {
      upstream.off('data', data)
      upstream.off('error', error)
      upstream.off('end', gone)
      upstream.off('close', gone)
    }
  }

  /**
   * Lets go of the upstream connection: back to the release hook when it is idle between
   * exchanges (no exchange under way, every answer read, not paused by a slow client), else closed.
   */
  #dropUpstream (): void {
    const upstream = this.#upstream
    this.#upstream = undefined
    if (upstream === undefined) return
    const idle = this.#exchange === undefined && (this.#phase === 'head' || this.#phase === 'deciding')
    if (idle && this.#hooks.release !== undefined && !upstream.destroyed && !upstream.isPaused()) {
      this.#detachUpstream?.()
      this.#hooks.release(upstream)
    } else {
      upstream.destroy()
    }
  }

  #onUpstreamData (chunk: Buffer): void {
    const exchange = this.#exchange
    if (this.#phase !== 'exchange' || exchange === undefined) { this.#destroy(new Error('the upstream sent bytes no request asked for')); return }
    let rest = chunk
    try {
      while (rest.length > 0) {
        if (exchange.response === undefined) {
          if (exchange.responseHead.length === 0) exchange.verdict.answered?.()
          exchange.responseHead = exchange.responseHead.length === 0 ? rest : Buffer.concat([exchange.responseHead, rest])
          rest = EMPTY
          const end = headEnd(exchange.responseHead)
          if (end === -1) {
            if (exchange.responseHead.length > this.#maxHead) throw new Error('the upstream sent a response head that is too large')
            return
          }
          const headBytes = exchange.responseHead.subarray(0, end)
          rest = exchange.responseHead.subarray(end)
          exchange.responseHead = EMPTY
          if (!this.#onResponseHead(exchange, headBytes)) return
        } else {
          const n = exchange.response.scan(rest)
          this.#toClient(exchange, n === rest.length ? rest : rest.subarray(0, n))
          rest = rest.subarray(n)
          if (exchange.response.done) {
            if (rest.length > 0) throw new Error('the upstream sent bytes after the end of its answer')
            this.#finishIfOver()
            return
          }
        }
      }
    } catch (err) {
      this.#destroy(err as Error)
    } finally {
      this.#flushToClient()
    }
  }

  /** Handles one response head; false when the exchange went elsewhere (careful path). */
  #onResponseHead (exchange: Exchange, bytes: Buffer): boolean {
    const head = parseHead(bytes)
    const status = Number(head?.parts[1])
    if (head === undefined || !/^HTTP\/1\.[01]$/.test(head.parts[0]) || !Number.isInteger(status) || status < 100 || status > 999) throw new Error('the upstream sent a response head that is not HTTP/1.1')
    // No upgrade was asked for (those take the careful path), so a switch is not one.
    if (status === 101) throw new Error('the upstream switched protocols unasked')
    const framing = responseFraming(exchange.request.method, status, head.rawHeaders)
    if (framing === undefined) throw new Error('the upstream sent a response with ambiguous framing')
    if (status < 200) { this.#toClient(exchange, bytes); return true }
    if (exchange.bytesOut === 0 && exchange.request.framing.kind === 'none' && exchange.verdict.onResponse?.(status, head.rawHeaders) === 'careful') {
      // Sent again by the careful path: this connection and its answer are dropped.
      this.#upstream?.destroy()
      this.#upstream = undefined
      this.#pending = this.#pending.length === 0 ? exchange.original : Buffer.concat([exchange.original, this.#pending])
      this.#exchange = undefined
      this.#handover()
      return false
    }
    exchange.status = status
    exchange.response = new BodyScanner(framing)
    exchange.responseKind = framing.kind
    if (framing.kind === 'close' || headerTokens(head.rawHeaders, 'connection').includes('close') || head.parts[0] === 'HTTP/1.0') exchange.closeAfter = true
    this.#toClient(exchange, bytes)
    if (exchange.response.done) this.#finishIfOver()
    return true
  }

  /** Passes answer bytes on: gathered while one read of the upstream is handled, then written at once. */
  #toClient (exchange: Exchange, bytes: Buffer): void {
    if (bytes.length === 0) return
    exchange.bytesOut += bytes.length
    this.#outgoing.push(bytes)
  }

  /**
   * Writes what #toClient gathered as one write (a head and the start of its body are usually
   * neighbours in the same read): one system call and, for TLS, one record, without a writev.
   */
  #flushToClient (): void {
    const out = this.#outgoing
    if (out.length === 0) return
    this.#outgoing = []
    if (this.#client.destroyed) return
    const upstream = this.#upstream
    if (!this.#client.write(out.length === 1 ? out[0] as Buffer : joined(out)) && upstream !== undefined) {
      upstream.pause()
      this.#client.once('drain', () => { upstream.resume() })
    }
  }

  /** Ends the exchange when both the request body and the answer are over. */
  #finishIfOver (): void {
    const exchange = this.#exchange
    if (exchange?.response?.done !== true) return
    // What the answer passed on goes out before the connection may be closed below.
    this.#flushToClient()
    // An answer that came before the whole body (a refusal mid-upload) ends the connection, as
    // the engine does; the rest of the body is not sent.
    if (!exchange.body.done) exchange.closeAfter = true
    this.#exchange = undefined
    exchange.verdict.ended?.({ status: exchange.status, bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut })
    if (exchange.closeAfter) { this.#close(); return }
    this.#phase = 'head'
    this.#next()
  }

  #onUpstreamGone (): void {
    const upstream = this.#upstream
    this.#upstream = undefined
    upstream?.destroy()
    const exchange = this.#exchange
    if (this.#phase === 'deciding' || this.#phase === 'head' || exchange === undefined) return
    if (exchange.responseKind === 'close') {
      // The end of the connection is the end of this answer.
      this.#exchange = undefined
      exchange.verdict.ended?.({ status: exchange.status, bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut })
      this.#close()
      return
    }
    const error = new Error('the upstream closed the connection before its answer ended')
    if (exchange.bytesOut === 0 && exchange.request.framing.kind === 'none' && exchange.verdict.resendWhenLost === true) {
      this.#pending = this.#pending.length === 0 ? exchange.original : Buffer.concat([exchange.original, this.#pending])
      this.#exchange = undefined
      this.#handover()
      return
    }
    if (exchange.bytesOut === 0) {
      // Nothing of an answer went out: the client gets one, as the careful path would give it.
      const body = dockerErrorBody(exchange.verdict.lostBeforeAnswer?.() ?? 'swarmgate: the upstream closed the connection before answering')
      this.#client.write(`HTTP/1.1 502 ${STATUS_CODES[502] as string}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
      this.#exchange = undefined
      exchange.verdict.ended?.({ status: 502, bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut, error })
      this.#close()
      return
    }
    this.#destroy(error)
  }

  #handover (): void {
    if (this.#clientEnded) { this.#destroy(); return }
    this.#dropUpstream()
    this.#phase = 'done'
    const client = this.#client
    client.off('data', this.#onClientData)
    client.off('end', this.#onClientEnd)
    client.off('error', this.#onClientError)
    client.off('close', this.#onClientClose)
    client.pause()
    if (this.#pending.length > 0) client.unshift(this.#pending)
    this.#pending = EMPTY
    this.#hooks.handover(client)
    client.resume()
  }

  /** Ends both connections after what was written. */
  #close (): void {
    if (this.#phase === 'done') return
    this.#dropUpstream()
    this.#phase = 'done'
    this.#client.end()
  }

  #destroy (error?: Error, byClient = false): void {
    clearTimeout(this.#gatherTimer)
    this.#gathered = []
    const exchange = this.#exchange
    this.#exchange = undefined
    const first = this.#phase !== 'done'
    this.#phase = 'done'
    this.#upstream?.destroy()
    this.#upstream = undefined
    this.#client.destroy()
    if (first && exchange !== undefined) exchange.verdict.ended?.({ status: exchange.status === -1 ? 0 : exchange.status, bytesIn: exchange.bytesIn, bytesOut: exchange.bytesOut, error: error ?? new Error('the connection failed'), ...(byClient ? { clientAborted: true } : {}) })
  }
}

/** `pieces` as one buffer: a view when they lie side by side in memory (as subarrays of one read do), else a copy. */
function joined (pieces: readonly Buffer[]): Buffer {
  let length = 0
  let adjacent = true
  let previous: Buffer | undefined
  for (const piece of pieces) {
    if (previous !== undefined && (piece.buffer !== previous.buffer || piece.byteOffset !== previous.byteOffset + previous.length)) adjacent = false
    length += piece.length
    previous = piece
  }
  const first = pieces[0] as Buffer
  return adjacent ? Buffer.from(first.buffer, first.byteOffset, length) : Buffer.concat(pieces, length)
}

/** True when a line of `bytes` ends in LF alone, which no plain HTTP/1.1 head does. */
function hasBareLineFeed (bytes: Buffer): boolean {
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) {
    if (at === 0 || bytes[at - 1] !== 0x0d) return true
  }
  return false
}

/** A request head the fast path may take: origin-form HTTP/1.1, no upgrade, no Expect. */
function plainRequest (parts: readonly [string, string, string], rawHeaders: readonly string[]): boolean {
  if (parts[2] !== 'HTTP/1.1' || !parts[1].startsWith('/') || !/^[A-Z]+$/.test(parts[0]) || parts[0] === 'CONNECT') return false
  if (headerValues(rawHeaders, 'upgrade').length > 0 || headerTokens(rawHeaders, 'connection').includes('upgrade')) return false
  if (headerValues(rawHeaders, 'expect').length > 0) return false
  // The Host header must be there once, as node:http and dockerd would insist.
  return headerValues(rawHeaders, 'host').length <= 1
}
