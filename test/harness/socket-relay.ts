/**
 * A unix socket that stands in for the engine's: every connection it accepts is piped to the real
 * engine socket. Tests point a server-proxy at it to see what reaches the engine (it counts the
 * connections it accepted) and to take "the engine" away and bring it back (stop() closes the
 * listener and cuts every relayed connection; start() listens again on the same path) without
 * touching the engine that other tests share. Started with `record`, it also keeps every byte
 * sent towards the engine, so a test can list the requests that reached it (authorization tests:
 * a refused call must not be among them). cutAt() makes the engine lose a call it was sent: the
 * connection carrying it is cut before a byte reaches the engine (dockerd dying under the call, or
 * closing a kept connection as the call went out).
 */
import net from 'node:net'
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ENGINE_SOCKET } from '../testbed/docker.js'

export interface SocketRelay {
  /** The socket path to give server-proxy as --engine-socket. */
  readonly path: string
  /** Connections accepted since the relay was created. */
  readonly accepted: number
  /** Connections open right now. */
  readonly open: number
  /** Request lines (`METHOD target HTTP/1.1`) sent to the engine so far, in order; empty unless started with `record`. */
  requestLines (): string[]
  /**
   * The next request whose request line matches `line` is not passed on: its connection is cut
   * (the request never reached the engine), and with `stop` the relay stops too, as a dead engine.
   */
  cutAt (line: RegExp, then: 'stop' | 'listen'): void
  /** Listens again after stop(). */
  start (): Promise<void>
  /** Stops listening (the socket file goes away) and destroys every relayed connection. */
  stop (): Promise<void>
  /** Stops and removes the relay's directory. */
  close (): Promise<void>
}

/** Creates a relay in a fresh temporary directory, listening, in front of `target`. */
export async function startSocketRelay (target = ENGINE_SOCKET, opts: { record?: boolean } = {}): Promise<SocketRelay> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-relay-'))
  const path = join(dir, 'engine.sock')
  const live = new Set<net.Socket>()
  let accepted = 0
  // One transcript per connection: requests on different connections must not run together.
  const transcripts: Buffer[][] = []
  let server: net.Server | undefined
  let cut: { line: RegExp, then: 'stop' | 'listen' } | undefined

  const relay = (client: net.Socket): void => {
    accepted++
    const engine = net.connect({ path: target, allowHalfOpen: true })
    for (const s of [client, engine]) {
      live.add(s)
      s.on('error', () => { client.destroy(); engine.destroy() })
      s.on('close', () => { live.delete(s); client.destroy(); engine.destroy() })
    }
    if (opts.record === true) {
      const chunks: Buffer[] = []
      transcripts.push(chunks)
      client.on('data', (c: Buffer) => chunks.push(c))
    }
    client.on('data', (c: Buffer) => {
      const request = cut === undefined ? undefined : /^[A-Za-z]+ \S+ HTTP\/1\.[01]/m.exec(c.toString('latin1'))?.[0]
      if (cut === undefined || request === undefined || !cut.line.test(request)) {
        if (!engine.write(c)) { client.pause(); engine.once('drain', () => client.resume()) }
        return
      }
      const then = cut.then
      cut = undefined
      client.destroy()
      engine.destroy()
      if (then === 'stop') void stop()
    })
    client.on('end', () => engine.end())
    engine.pipe(client)
  }

  const start = async (): Promise<void> => {
    if (server !== undefined) return
    server = net.createServer({ allowHalfOpen: true }, relay)
    server.listen(path)
    await once(server, 'listening')
  }
  const stop = async (): Promise<void> => {
    if (server === undefined) return
    const closing = once(server, 'close')
    server.close()
    for (const s of live) s.destroy()
    await closing
    server = undefined
  }
  await start()
  return {
    path,
    get accepted () { return accepted },
    get open () { return live.size / 2 },
    // On a kept-alive connection a request line follows the previous body with no line break.
    requestLines: () => transcripts.flatMap((chunks) =>
      [...Buffer.concat(chunks).toString('latin1').matchAll(/([A-Za-z]+ \S+ HTTP\/1\.[01])\r\n/g)].map((m) => m[1] as string)),
    cutAt: (line, then) => { cut = { line, then } },
    start,
    stop,
    close: async () => { await stop(); await rm(dir, { recursive: true, force: true }) }
  }
}
