#!/usr/bin/env node
/**
 * server-proxy's entry point: the one place that reads argv and the environment, listens, handles
 * signals, and turns a failure into a sentence and an exit status.
 */
import https from 'node:https'
import http from 'node:http'
import { parseArgs, renderHelp, createLogger, PATHS, SwarmgateError } from '@swarmgate/core'
import { program, type ServerConfig } from './config.js'
import { buildServerProxy } from './app.js'

async function healthcheck (config: ServerConfig): Promise<number> {
  // Asks this container's own listener; the certificate is checked by clients, not by the probe.
  const get = config.insecureHttp ? http.get : https.get
  return await new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port: config.port, path: PATHS.health, rejectUnauthorized: false, timeout: 4_000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? 0 : 1)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (err) => { process.stderr.write(`unhealthy: ${err.message}\n`); resolve(1) })
  })
}

async function main (): Promise<number> {
  const parsed = parseArgs(program, process.argv.slice(2), process.env)
  if (parsed.action === 'help') { process.stdout.write(renderHelp(program)); return 0 }
  if (parsed.action === 'version') { process.stdout.write(`${program.version}\n`); return 0 }
  const { config, args } = parsed
  if (args[0] === 'healthcheck') return await healthcheck(config)
  if (args.length > 0) throw new SwarmgateError('SG_ERR_CONFIG', `unknown command "${args.join(' ')}"; run ${program.name} --help`)

  const logger = createLogger({ name: 'server-proxy', level: config.logLevel })
  const proxy = await buildServerProxy(config, logger)
  await new Promise<void>((resolve, reject) => {
    proxy.server.once('error', reject)
    proxy.server.listen(config.port, config.host, resolve)
  })
  const address = proxy.server.address()
  logger.info({ address, tls: !config.insecureHttp, swarm: config.swarmName, engine: config.engineSocket }, 'server-proxy listening')
  if (config.insecureHttp) logger.warn('serving plain HTTP: tokens travel unencrypted; use this only behind another TLS hop')

  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => { logger.info({ signal }, 'shutting down'); resolve() }
    process.once('SIGTERM', stop)
    process.once('SIGINT', stop)
  })
  await proxy.close()
  logger.flush()
  return 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  const message = err instanceof SwarmgateError ? err.message : `unexpected failure: ${(err as Error).stack ?? String(err)}`
  process.stderr.write(`swarmgate-server-proxy: ${message}\n`)
  process.exitCode = err instanceof SwarmgateError && err.code === 'SG_ERR_CONFIG' ? 2 : 1
})
