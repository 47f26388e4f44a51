/**
 * What the two long-running proxies share around their servers: listening, waiting for a stop
 * signal, and the health probe their images' HEALTHCHECK runs.
 */
import http from 'node:http'
import https from 'node:https'
import type { Server } from 'node:net'

/** Listens on host:port or a unix socket path; rejects on EADDRINUSE and the like. */
export async function listen (server: Server, where: { readonly port: number, readonly host: string } | { readonly path: string }): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(where, () => { server.off('error', reject); resolve() })
  })
}

/** Resolves with the name of the first SIGTERM or SIGINT. */
export async function untilStopSignal (): Promise<string> {
  return await new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
}

/**
 * Asks a local health endpoint; 0 when it answers 200, else 1 with the reason on stderr. Over TLS
 * the certificate is not checked: the probe asks its own container's listener on loopback.
 */
export async function probeHealth (opts: { readonly tls: boolean, readonly host: string, readonly port: number, readonly path: string }): Promise<number> {
  const get = opts.tls ? https.get : http.get
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host
  return await new Promise((resolve) => {
    const req = get({ host, port: opts.port, path: opts.path, rejectUnauthorized: false, timeout: 4_000 }, (res) => {
      res.resume()
      if (res.statusCode !== 200) process.stderr.write(`unhealthy: ${opts.path} answered ${String(res.statusCode)}\n`)
      resolve(res.statusCode === 200 ? 0 : 1)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (err) => { process.stderr.write(`unhealthy: ${err.message}\n`); resolve(1) })
  })
}
