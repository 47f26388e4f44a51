/**
 * Connection guards: what server-proxy's open port allows a connection that has not yet shown a
 * valid token (issue 11). Such a connection must finish its TLS handshake, send each request head
 * whole once it has begun, and not fall silent, each within a deadline; one source address and
 * all sources together may hold only so many of them, and a connection over a cap is closed as
 * soon as it is accepted, before its handshake costs anything. Once a request on it carries a
 * valid token (the gateway says so), the guard lets go of it for good: authenticated streams
 * (logs -f, events, attach, slow uploads) keep having no timeout at all.
 *
 * Per-connection state hangs off the sockets themselves (WeakMaps) and the counts drop entries
 * at zero, so a closed connection leaves nothing in the guard.
 */
import type http from 'node:http'
import tls from 'node:tls'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from '@swarmgate/core'
import { Admission, type AdmissionVerdict } from './admission.js'
import { SourceTally, type GuardEvent } from './source-tally.js'

export { Admission, type AdmissionLimits, type AdmissionVerdict } from './admission.js'
export { SourceTally, type GuardEvent } from './source-tally.js'

export interface GuardOptions {
  /** Accepted → TLS handshake done; 0 for no deadline. */
  readonly handshakeMs: number
  /** First byte of a request → its complete head; 0 for no deadline. */
  readonly headMs: number
  /** No byte either way for this long closes the connection; 0 for never. */
  readonly idleMs: number
  /** Unauthenticated connections one source address may hold; 0 for no cap. */
  readonly perSource: number
  /** Unauthenticated connections all sources may hold; 0 for no cap. */
  readonly total: number
  /** How often the guard logs per source what it refused and closed. */
  readonly logIntervalMs: number
  readonly logger: Logger
}

/** What a connection is waiting for, as far as the guard is concerned. */
type Phase = 'handshake' | 'between-requests' | 'head' | 'in-request' | 'authenticated' | 'closed'

interface Guarded {
  readonly source: string
  /** Peer address and port, read once: a closed socket may no longer know them. */
  readonly peer: string
  readonly raw: Socket
  /** The socket HTTP reads (the TLS socket, or `raw` for plain HTTP); set once the handshake is done. */
  app: Socket | undefined
  phase: Phase
  /** The handshake or head deadline, whichever applies now. */
  deadline: NodeJS.Timeout | undefined
  idle: NodeJS.Timeout | undefined
  /** bytesWritten when the idle timer was last armed: a response being written is not idleness. */
  written: number
  readonly onData: () => void
}

/** Counts of what the guard holds and has done, for tests and diagnostics. */
export interface GuardStats {
  readonly unauthenticated: number
  readonly sources: number
  readonly events: Readonly<Record<GuardEvent, number>>
}

export class ConnectionGuard {
  readonly #opts: GuardOptions
  readonly #admission: Admission
  readonly #tally: SourceTally
  /** Raw and TLS sockets alike → their state; entries go with the sockets. */
  readonly #guarded = new WeakMap<Duplex, Guarded>()
  /** Connections between accept and 'secureConnection', by peer address and port (the TLS socket is a different object). */
  readonly #handshaking = new Map<string, Guarded>()

  constructor (opts: GuardOptions) {
    this.#opts = opts
    this.#admission = new Admission(opts)
    this.#tally = new SourceTally(opts.logger.child({ module: 'connection-guard' }), opts.logIntervalMs)
  }

  /** Guards every connection `server` accepts from now on. */
  attach (server: http.Server): void {
    const secure = server instanceof tls.Server
    server.on('connection', (raw: Socket) => { this.#accept(raw, secure) })
    if (secure) server.on('secureConnection', (socket: tls.TLSSocket) => { this.#secured(socket) })
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => { this.#headDone(req.socket, res) })
    server.on('upgrade', (req: http.IncomingMessage) => { this.#headDone(req.socket, undefined) })
  }

  /** A request on `socket` carried a valid token: the connection is no longer counted, timed or closed by the guard. */
  authenticated (socket: Duplex): void {
    const g = this.#guarded.get(socket)
    if (g === undefined || g.phase === 'authenticated' || g.phase === 'closed') return
    this.#stopTimers(g)
    g.app?.off('data', g.onData)
    g.phase = 'authenticated'
    this.#admission.release(g.source)
  }

  /** What the guard holds now and has done so far. */
  stats (): GuardStats {
    return { unauthenticated: this.#admission.total, sources: this.#admission.sources, events: this.#tally.totals() }
  }

  /** Logs what is still pending; connections themselves are closed by the server's owner. */
  close (): void {
    this.#tally.close()
  }

  #accept (raw: Socket, secure: boolean): void {
    // A peer that reset before 'connection' has no address: all of those share one entry.
    const source = raw.remoteAddress ?? 'unknown'
    const verdict: AdmissionVerdict = this.#admission.admit(source)
    if (verdict !== 'admitted') {
      this.#tally.note(source, verdict === 'per-source' ? 'refused-per-source' : 'refused-global')
      raw.destroy()
      return
    }
    const g: Guarded = {
      source,
      peer: peerKey(raw),
      raw,
      app: undefined,
      phase: 'handshake',
      deadline: undefined,
      idle: undefined,
      written: 0,
      onData: () => { this.#onData(g) }
    }
    this.#guarded.set(raw, g)
    raw.once('close', () => { this.#closed(g) })
    if (!secure) { this.#ready(g, raw); return }
    this.#handshaking.set(g.peer, g)
    g.deadline = this.#timer(this.#opts.handshakeMs, g, 'closed-handshake')
  }

  #secured (socket: tls.TLSSocket): void {
    const key = peerKey(socket)
    const g = this.#handshaking.get(key)
    if (g === undefined) return
    this.#handshaking.delete(key)
    this.#ready(g, socket)
  }

  /** The connection can carry HTTP now: the idle deadline starts, the head deadline waits for a first byte. */
  #ready (g: Guarded, app: Socket): void {
    this.#stopTimers(g)
    g.app = app
    g.phase = 'between-requests'
    this.#guarded.set(app, g)
    // A 'data' listener makes node's HTTP parser read through JS instead of the socket's handle
    // directly; that costs one call per chunk, and only on connections not yet authenticated.
    app.on('data', g.onData)
    this.#armIdle(g)
  }

  #onData (g: Guarded): void {
    g.idle?.refresh()
    if (g.phase !== 'between-requests') return
    g.phase = 'head'
    g.deadline = this.#timer(this.#opts.headMs, g, 'closed-head')
  }

  /** A complete head arrived on `socket`; the next one is timed from its first byte once this response is done. */
  #headDone (socket: Duplex, res: http.ServerResponse | undefined): void {
    const g = this.#guarded.get(socket)
    if (g === undefined || g.phase === 'authenticated' || g.phase === 'closed') return
    if (g.deadline !== undefined) { clearTimeout(g.deadline); g.deadline = undefined }
    g.phase = 'in-request'
    // An upgrade has no next request: the gateway authenticates it or refuses and closes it.
    res?.once('finish', () => { if (g.phase === 'in-request') g.phase = 'between-requests' })
  }

  #armIdle (g: Guarded): void {
    if (this.#opts.idleMs <= 0) return
    g.written = g.app?.bytesWritten ?? 0
    g.idle = setTimeout(() => {
      // Reads refresh the timer; writes are only seen here, so a connection the server wrote to
      // since the timer was armed gets a fresh interval.
      const written = g.app?.bytesWritten ?? 0
      if (written !== g.written) { g.written = written; g.idle?.refresh(); return }
      this.#close(g, 'closed-idle')
    }, this.#opts.idleMs)
  }

  #timer (ms: number, g: Guarded, event: GuardEvent): NodeJS.Timeout | undefined {
    return ms <= 0 ? undefined : setTimeout(() => { this.#close(g, event) }, ms)
  }

  #close (g: Guarded, event: GuardEvent): void {
    if (g.phase === 'authenticated' || g.phase === 'closed') return
    this.#tally.note(g.source, event)
    g.app?.destroy()
    g.raw.destroy()
  }

  #closed (g: Guarded): void {
    this.#stopTimers(g)
    if (g.phase === 'handshake') this.#handshaking.delete(g.peer)
    if (g.phase !== 'authenticated') this.#admission.release(g.source)
    g.phase = 'closed'
  }

  #stopTimers (g: Guarded): void {
    if (g.deadline !== undefined) { clearTimeout(g.deadline); g.deadline = undefined }
    if (g.idle !== undefined) { clearTimeout(g.idle); g.idle = undefined }
  }
}

function peerKey (socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`
}
