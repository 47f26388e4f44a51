/**
 * A TCP relay on 127.0.0.1 in front of one proxy port, standing in for the network path to a
 * manager, so a test can cut that path the way a manager powered off or a link down does: packets
 * vanish, nothing is refused or reset. `blackhole()` stops carrying bytes on every open
 * connection (each end keeps its connection and hears nothing more, closes included) and holds
 * every new connection without ever answering it; `pass()` closes what it held and carries new
 * connections again. The relay's port is known before its target, so a test can give the
 * endpoints to the programs behind it before they start (their own ports are chosen at start).
 */
import net from 'node:net'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'

export interface TcpRelay {
  /** The relay's own port on 127.0.0.1: the endpoint clients use. */
  readonly port: number
  /** `127.0.0.1:port`. */
  readonly endpoint: string
  /** The port connections are carried to; set before the first connection arrives. */
  target: number | undefined
  /** Connections accepted so far. */
  readonly accepted: number
  /** Cuts the path: open connections go silent, new ones are held unanswered. */
  blackhole (): void
  /** Restores the path: held connections are closed, new ones are carried. */
  pass (): void
  close (): Promise<void>
}

interface Pair {
  readonly client: net.Socket
  upstream: net.Socket | undefined
}

/** Starts a relay listening on 127.0.0.1:0, carrying connections once `target` is set. */
export async function startTcpRelay (): Promise<TcpRelay> {
  const pairs = new Set<Pair>()
  const held = new Set<Pair>()
  let holes = false
  let accepted = 0
  let target: number | undefined

  const drop = (pair: Pair): void => {
    pair.client.destroy()
    pair.upstream?.destroy()
    pairs.delete(pair)
    held.delete(pair)
  }
  const hold = (pair: Pair): void => {
    held.add(pair)
    for (const s of [pair.client, pair.upstream]) {
      if (s === undefined) continue
      s.unpipe()
      s.pause()
    }
  }

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    accepted++
    const pair: Pair = { client, upstream: undefined }
    pairs.add(pair)
    // Closes and errors travel only while the path is up: a cut link carries nothing, FIN included.
    const onEnd = (): void => { if (!held.has(pair)) drop(pair) }
    client.on('error', onEnd)
    client.on('close', onEnd)
    if (holes || target === undefined) { hold(pair); return }
    const upstream = net.connect({ host: '127.0.0.1', port: target, allowHalfOpen: true })
    pair.upstream = upstream
    upstream.on('error', onEnd)
    upstream.on('close', onEnd)
    upstream.once('connect', () => {
      if (held.has(pair)) return
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo

  return {
    port,
    endpoint: `127.0.0.1:${port}`,
    get target () { return target },
    set target (value) { target = value },
    get accepted () { return accepted },
    blackhole: () => {
      holes = true
      for (const pair of pairs) hold(pair)
    },
    pass: () => {
      holes = false
      for (const pair of [...held]) drop(pair)
    },
    close: async () => {
      const closed = once(server, 'close')
      server.close()
      for (const pair of [...pairs]) drop(pair)
      await closed
    }
  }
}
