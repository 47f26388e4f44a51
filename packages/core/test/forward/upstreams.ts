/**
 * Test upstreams on unix sockets and a front server that forwards to them with the code under
 * test. These stand in for the engine so a test can hold a response open, watch for aborts and
 * check bytes exactly; the real engine is exercised by the end-to-end suites in test/.
 */
import http from 'node:http'
import net from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { unixSocketUpstream, type Upstream } from '../../src/forward/upstream.js'
import { forwardRequest, type ForwardOutcome } from '../../src/forward/request.js'
import { forwardUpgrade, type UpgradeOutcome } from '../../src/forward/upgrade.js'
import { endToEndHeaders, withoutHeaders } from '../../src/forward/headers.js'

export async function socketPath (): Promise<{ path: string, remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-fwd-'))
  return { path: join(dir, 'up.sock'), remove: async () => { await rm(dir, { recursive: true, force: true }) } }
}

export interface Front {
  readonly port: number
  readonly upstream: Upstream
  readonly outcomes: Array<ForwardOutcome | UpgradeOutcome>
  close (): Promise<void>
}

/** A plain HTTP front on 127.0.0.1:0 that forwards everything to `upstreamSocket`. */
export async function startFront (upstreamSocket: string, opts: { resendWhenLost?: boolean } = {}): Promise<Front> {
  const upstream = unixSocketUpstream(upstreamSocket)
  const outcomes: Array<ForwardOutcome | UpgradeOutcome> = []
  const sockets = new Set<Duplex>()
  const server = http.createServer((req, res) => {
    void forwardRequest(req, res, { upstream, headers: endToEndHeaders(req.rawHeaders), ...opts }).then((o) => {
      outcomes.push(o)
      if (o.kind === 'failed' && !o.responded) res.writeHead(502).end()
    })
  })
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket)
    void forwardUpgrade(req, socket, head, { upstream, headers: withoutHeaders(req.rawHeaders, new Set()) }).then((o) => outcomes.push(o))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    upstream,
    outcomes,
    close: async () => {
      for (const s of sockets) s.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await upstream.close()
    }
  }
}

/** Listens on a unix socket with a raw connection handler (for hijack tests). */
export async function rawServer (path: string, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, onConnection)
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return server
}
