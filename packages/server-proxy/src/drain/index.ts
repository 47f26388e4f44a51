/**
 * The graceful drain on stop (docs/protocol.md, "Draining"): what server-proxy does between the
 * stop signal and its exit, so that a rolling upgrade loses no call.
 *
 * - The listener stops accepting at once: a client's next connect is refused, which client-proxy
 *   takes as its cue to use another manager.
 * - Calls in flight, streams and hijacked sessions included, go on until they end, up to a bound
 *   that fits inside the service's stop grace period; what is still open then is cut, as a lost
 *   manager's would be, so client-proxy ends each stream with the failover's own sentence.
 * - A request that arrives on a kept-alive connection during the drain is answered as usual, with
 *   `Connection: close` and `X-Swarmgate-Draining: 1`: its client neither loses it nor sends the
 *   next one here, and may move to another manager at once.
 * - Idle kept-alive connections are not closed the moment the drain starts (what http.Server's
 *   close() does, racing a request the client is writing at that instant, docs/failover.md): they
 *   are left to the server's keep-alive timeout, which every answer announces (`Keep-Alive:
 *   timeout=5`) and which undici, client-proxy's HTTP client, undercuts by closing them itself first.
 * - The relay (--relay) hands every call that arrives during the drain to node:http
 *   (gateway/relayed-calls.ts), so relayed connections get the same answer.
 *
 * The tracking starts when the drain is attached, before the server listens: a call in flight
 * when the signal comes is known, and its answer gets the headers too when it has not begun.
 */
import http from 'node:http'
import net from 'node:net'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'
import { DRAINING_HEADER, type Logger } from '@swarmgate/core'

/** What was left when the drain ended, and what it did. */
export interface DrainOutcome {
  /** Everything closed on its own before the bound (false: the rest was cut at the bound). */
  readonly completed: boolean
  readonly durationMs: number
  /** Answers given during the drain with `Connection: close` and the draining header. */
  readonly announced: number
  /**
   * Still open at the bound and cut: calls node:http carries (streams such as logs -f, events),
   * hijacked sessions, and other connections (idle, not yet past their handshake, or relayed).
   */
  readonly cut: { readonly calls: number, readonly hijacked: number, readonly other: number }
}

export class ServerDrain {
  readonly #log: Logger
  #server: http.Server | undefined
  /** Every accepted TCP connection. */
  readonly #connections = new Set<Duplex>()
  /** The TLS sockets node:http reads from, when the server is https: cut with their TCP ones. */
  readonly #secured = new Set<Duplex>()
  readonly #calls = new Set<http.ServerResponse>()
  readonly #hijacked = new Set<Duplex>()
  #draining = false
  #announced = 0

  constructor (logger: Logger) {
    this.#log = logger.child({ module: 'drain' })
  }

  /** Tracks `server`'s connections, calls and hijacked sessions from now on; attach before it listens. */
  attach (server: http.Server): void {
    this.#server = server
    server.on('connection', (socket: net.Socket) => { track(this.#connections, socket) })
    if (server instanceof tls.Server) server.on('secureConnection', (socket: tls.TLSSocket) => { track(this.#secured, socket) })
    // First of the listeners: the headers are set before any handler could begin the answer.
    server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      track(this.#calls, res)
      if (this.#draining) this.#announce(res)
    })
    server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
      track(this.#hijacked, socket)
    })
  }

  /** Whether the drain has begun. */
  get draining (): boolean {
    return this.#draining
  }

  /**
   * Stops accepting connections and waits until every connection has closed, at most `boundMs`;
   * then cuts what is left. Resolves with what happened (logged too).
   */
  async run (boundMs: number): Promise<DrainOutcome> {
    const server = this.#server
    if (server === undefined) throw new Error('the drain was never attached to a server')
    const started = performance.now()
    this.#draining = true
    for (const res of this.#calls) this.#announce(res)
    this.#log.info({ boundMs, calls: this.#calls.size, hijacked: this.#hijacked.size, connections: this.#connections.size, quietMs: server.keepAliveTimeout }, `draining: no new connections; calls in flight have up to ${boundMs} ms, kept-alive connections close after ${server.keepAliveTimeout} ms without a request`)
    const closed = new Promise<void>((resolve) => {
      // net.Server's close, not http.Server's: the latter also closes every idle kept-alive
      // connection at once, the race this drain exists to avoid. The callback comes once every
      // accepted connection has closed.
      net.Server.prototype.close.call(server, () => { resolve() })
    })
    let timer: NodeJS.Timeout | undefined
    const completed = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), boundMs) })
    ])
    clearTimeout(timer)
    const cut = { calls: this.#calls.size, hijacked: this.#hijacked.size, other: 0 }
    if (!completed) {
      cut.other = Math.max(0, this.#connections.size - cut.calls - cut.hijacked)
      for (const socket of [...this.#secured, ...this.#connections]) socket.destroy()
    }
    const outcome: DrainOutcome = { completed, durationMs: Math.round(performance.now() - started), announced: this.#announced, cut }
    if (completed) this.#log.info(outcome, 'drained: every call ended and every connection closed')
    else this.#log.warn(outcome, `drained: still open after ${boundMs} ms and cut (clients end their streams and may run the command again)`)
    return outcome
  }

  /** Has `res` close its connection and say why, if its head has not been sent yet. */
  #announce (res: http.ServerResponse): void {
    if (res.headersSent) return
    res.setHeader('Connection', 'close')
    res.setHeader(DRAINING_HEADER, '1')
    this.#announced++
  }
}

/** Keeps `item` in `set` until it closes. */
function track<T extends { once: (event: 'close', listener: () => void) => unknown }> (set: Set<T>, item: T): void {
  set.add(item)
  item.once('close', () => set.delete(item))
}
