/**
 * Relay connections to managers kept between two CLI connections (issue 14). The docker CLI opens
 * a new connection to client-proxy for every command; without this, each one cost the relay a
 * fresh TLS connection to server-proxy (a handshake, CPU on both proxies) that it dropped again
 * when the command's first call the relay does not carry (an exec create, a hijack) went to the
 * careful path, whose own pool kept its connections warm. A connection comes here only idle
 * between two exchanges (core's relay checks that), and waits at most as long as the careful
 * path's pool keeps one (STREAM_POOL_OPTIONS.keepAliveTimeout, under server-proxy's keep-alive
 * timeout): one that ends, errs or sends a byte meanwhile is closed and forgotten.
 */
import type { Duplex } from 'node:stream'
import { STREAM_POOL_OPTIONS, formatEndpoint } from '@swarmgate/core'
import type { Endpoint } from '../pinned-tls.js'

/** At most this many idle connections per endpoint: a burst of CLI connections leaves no crowd behind. */
const MAX_IDLE_PER_ENDPOINT = 8

interface Idle {
  readonly socket: Duplex
  /** Stops watching it (listeners and timer). */
  readonly unwatch: () => void
}

/** Idle relay connections by endpoint, newest last. */
export class IdleConnections {
  readonly #byEndpoint = new Map<string, Idle[]>()

  /** Keeps `socket`, idle between exchanges, for the next relayed CLI connection to `endpoint`. */
  give (endpoint: Endpoint, socket: Duplex): void {
    const key = formatEndpoint(endpoint.host, endpoint.port)
    const list = this.#byEndpoint.get(key) ?? []
    if (socket.destroyed || !socket.readable || !socket.writable || list.length >= MAX_IDLE_PER_ENDPOINT) { socket.destroy(); return }
    const forget = (): void => {
      entry.unwatch()
      const at = list.indexOf(entry)
      if (at !== -1) list.splice(at, 1)
      if (list.length === 0 && this.#byEndpoint.get(key) === list) this.#byEndpoint.delete(key)
      socket.destroy()
    }
    const timer = setTimeout(forget, STREAM_POOL_OPTIONS.keepAliveTimeout)
    timer.unref()
    // Bytes nobody asked for, or the other side closing: not a connection to send a call on.
    const entry: Idle = {
      socket,
      unwatch: () => {
        clearTimeout(timer)
        socket.off('data', forget)
        socket.off('end', forget)
        socket.off('close', forget)
        socket.off('error', forget)
      }
    }
    socket.on('data', forget)
    socket.on('end', forget)
    socket.on('close', forget)
    socket.on('error', forget)
    list.push(entry)
    this.#byEndpoint.set(key, list)
  }

  /** The most recently idle connection to `endpoint`, no longer kept here; undefined when there is none. */
  take (endpoint: Endpoint): Duplex | undefined {
    const key = formatEndpoint(endpoint.host, endpoint.port)
    const list = this.#byEndpoint.get(key)
    const entry = list?.pop()
    if (list?.length === 0) this.#byEndpoint.delete(key)
    if (entry === undefined) return undefined
    entry.unwatch()
    return entry.socket
  }

  /** Closes every idle connection. */
  close (): void {
    for (const list of this.#byEndpoint.values()) {
      for (const entry of list) { entry.unwatch(); entry.socket.destroy() }
    }
    this.#byEndpoint.clear()
  }
}
