/**
 * Where forwarded calls go. Plain calls share a pooled undici dispatcher; hijacked calls (attach,
 * exec start, BuildKit session) each get a dedicated raw connection opened half-open, because
 * after the 101 answer the connection is a byte stream that no HTTP client may touch.
 */
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { Pool, type Dispatcher } from 'undici'
import { MAX_HEADER_BYTES } from './headers.js'

export interface Upstream {
  /** How error messages name this upstream, e.g. `the Docker engine at unix:///var/run/docker.sock`. */
  readonly name: string
  /** Origin passed to the dispatcher with each call. */
  readonly origin: string
  readonly dispatcher: Dispatcher
  /** Opens a dedicated connection for a hijacked call, created with allowHalfOpen. */
  connect (): Promise<Duplex>
  close (): Promise<void>
}

/**
 * TCP keepalive delay on every connection that crosses a network: a silent stream (logs -f,
 * events) must keep NAT and firewall state alive, and a peer that vanished must be noticed.
 */
export const TCP_KEEPALIVE_MS = 30_000

/** Pool options every swarmgate dispatcher uses: streams may be silent for hours, heads as large as dockerd's. */
export const STREAM_POOL_OPTIONS = {
  headersTimeout: 0,
  bodyTimeout: 0,
  keepAliveTimeout: 4_000,
  maxHeaderSize: MAX_HEADER_BYTES,
  pipelining: 1
} as const

/** The local engine's unix socket. */
export function unixSocketUpstream (socketPath: string): Upstream {
  const origin = 'http://docker.sock'
  const dispatcher = new Pool(origin, { ...STREAM_POOL_OPTIONS, socketPath })
  return {
    name: `the Docker engine at unix://${socketPath}`,
    origin,
    dispatcher,
    connect: async () => await openSocket(() => net.connect({ path: socketPath, allowHalfOpen: true })),
    close: async () => { await dispatcher.close() }
  }
}

/** Waits for a socket created by `make` to connect (event `connectEvent`) or fail. */
export async function openSocket<S extends net.Socket> (make: () => S, connectEvent: 'connect' | 'secureConnect' = 'connect'): Promise<S> {
  return await new Promise<S>((resolve, reject) => {
    const socket = make()
    const onError = (err: Error): void => { socket.destroy(); reject(err) }
    socket.once('error', onError)
    socket.once(connectEvent, () => {
      socket.off('error', onError)
      // Small writes (a TTY keystroke, a request head) go out at once; undici's own connector
      // does the same, but a custom connector (pinned TLS) bypasses it.
      socket.setNoDelay(true)
      socket.setKeepAlive(true, TCP_KEEPALIVE_MS)
      resolve(socket)
    })
  })
}
