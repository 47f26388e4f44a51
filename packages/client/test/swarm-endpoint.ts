// A stand-in server-proxy endpoint for the client's unit tests: real TLS with a certificate made
// the way registration makes a swarm's, on 127.0.0.1:0; each test says what it answers. Every
// request is recorded, so a test can check what was sent (and that nothing was).
import { once } from 'node:events'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fingerprintOf } from '@swarmgate/core'
import { createCa, createServerCert } from '@swarmgate/registration'

export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly body: string
}

export type Handler = (req: SeenRequest, res: ServerResponse<IncomingMessage>) => void

export interface SwarmEndpoint {
  /** `127.0.0.1:<port>` */
  readonly endpoint: string
  /** The pin of the swarm's CA, as registration prints it. */
  readonly pin: string
  readonly requests: SeenRequest[]
  close (): Promise<void>
}

/** Starts an endpoint that answers with `handler`. */
export async function startSwarmEndpoint (handler: Handler): Promise<SwarmEndpoint> {
  const ca = await createCa({ commonName: 'swarmgate alice/prod' })
  const cert = await createServerCert(ca, { sans: [] })
  const requests: SeenRequest[] = []
  const server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      const seen = { method: req.method ?? '', path: req.url ?? '', body }
      requests.push(seen)
      res.setHeader('content-type', 'application/json')
      handler(seen, res)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    endpoint: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    pin: fingerprintOf(ca.certPem),
    requests,
    close: async () => { server.close(); await once(server, 'close') }
  }
}

/** An endpoint that refuses connections: a port that was free a moment ago. */
export async function deadEndpoint (): Promise<string> {
  const closed = net.createServer().listen(0, '127.0.0.1')
  await once(closed, 'listening')
  const endpoint = `127.0.0.1:${(closed.address() as AddressInfo).port}`
  closed.close()
  await once(closed, 'close')
  return endpoint
}
