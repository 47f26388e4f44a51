/**
 * Starts an in-process server-proxy on 127.0.0.1:0 with a fresh identity, in front of the engine
 * socket given (by default a recording unix-socket server standing in for the engine, so a test
 * can see exactly what reached it and whether anything did).
 */
import http from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { Agent, request } from 'undici'
import { createLogger, parseArgs, PATHS } from '@swarmgate/core'
import { createTestIdentity, type TestAccount, type TestIdentity } from '../../../test/fixtures/identity.js'
import { program } from '../src/config.js'
import { buildServerProxy } from '../src/app.js'

export interface RecordingEngine {
  readonly socketPath: string
  /** Connections accepted and requests seen, with their raw headers. */
  readonly connections: number
  readonly requests: ReadonlyArray<{ method: string, url: string, rawHeaders: string[] }>
  close (): Promise<void>
}

/** A unix-socket HTTP server that answers 200 {"ok":true} and records what it received. */
export async function startRecordingEngine (): Promise<RecordingEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-engine-'))
  const socketPath = join(dir, 'engine.sock')
  const requests: Array<{ method: string, url: string, rawHeaders: string[] }> = []
  let connections = 0
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders })
    req.resume()
    req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' }).end('{"ok":true}'))
  })
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  return {
    socketPath,
    get connections () { return connections },
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    }
  }
}

export interface RunningServer {
  readonly url: string
  readonly identity: TestIdentity
  readonly dispatcher: Agent
  readonly logLines: () => Array<Record<string, unknown>>
  /** POSTs a form to the token endpoint; returns status and parsed body. */
  token (form: Record<string, string>): Promise<{ status: number, body: Record<string, unknown> }>
  close (): Promise<void>
}

/** Builds and starts a server-proxy; extra flags are appended to the identity's. */
export async function startServer (opts: { engineSocket: string, flags?: string[], accounts?: TestAccount[], identity?: TestIdentity }): Promise<RunningServer> {
  const identity = opts.identity ?? await createTestIdentity('alice/test', opts.accounts)
  const parsed = parseArgs(program, [...identity.serverArgs, '--engine-socket', opts.engineSocket, ...(opts.flags ?? [])], {})
  if (parsed.action !== 'run') throw new Error('unexpected parse result')
  const lines: string[] = []
  const logger = createLogger({ name: 'server-proxy', level: 'info', destination: { write: (s: string) => { lines.push(s) } } })
  const proxy = await buildServerProxy(parsed.config, logger)
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.server.address() as AddressInfo
  const url = `https://127.0.0.1:${port}`
  const dispatcher = new Agent({ connect: { ca: identity.caPem } })
  return {
    url,
    identity,
    dispatcher,
    logLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    token: async (form) => {
      const res = await request(`${url}${PATHS.token}`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
      return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
    },
    close: async () => {
      await dispatcher.close()
      await proxy.close()
      if (opts.identity === undefined) await identity.remove()
    }
  }
}
