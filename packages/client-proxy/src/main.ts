#!/usr/bin/env node
/**
 * client-proxy's entry point: the one place that reads argv and the environment, listens, handles
 * signals, and turns a failure into a sentence and an exit status.
 */
import http from 'node:http'
import net from 'node:net'
import { parseArgs, renderHelp, createLogger, PATHS, SwarmgateError } from '@swarmgate/core'
import { program, type ClientProxyConfig } from './config.js'
import { buildClientProxy } from './app.js'

async function healthcheck (config: ClientProxyConfig): Promise<number> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  return await new Promise((resolve) => {
    const req = http.get({ host, port: config.port, path: PATHS.health, timeout: 4_000 }, (res) => {
      res.resume()
      resolve(res.statusCode === 200 ? 0 : 1)
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', (err) => { process.stderr.write(`unhealthy: ${err.message}\n`); resolve(1) })
  })
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'))
}

async function main (): Promise<number> {
  const parsed = parseArgs(program, process.argv.slice(2), process.env)
  if (parsed.action === 'help') { process.stdout.write(renderHelp(program)); return 0 }
  if (parsed.action === 'version') { process.stdout.write(`${program.version}\n`); return 0 }
  const { config, args } = parsed
  if (args[0] === 'healthcheck') return await healthcheck(config)
  if (args.length > 0) throw new SwarmgateError('SG_ERR_CONFIG', `unknown command "${args.join(' ')}"; run ${program.name} --help`)

  const logger = createLogger({ name: 'client-proxy', level: config.logLevel })
  const proxy = await buildClientProxy(config, logger)
  // Listen even when the first token cannot be had yet: the CLI then gets a clear error per call,
  // and the keeper keeps retrying.
  proxy.keeper.renew().catch(() => {})
  await new Promise<void>((resolve, reject) => {
    proxy.server.once('error', reject)
    proxy.server.listen(config.port, config.host, resolve)
  })
  logger.info({ address: proxy.server.address(), swarm: config.swarm, endpoints: config.endpoints }, 'client-proxy listening')
  if (!isLoopback(config.host)) logger.warn({ host: config.host }, 'listening beyond loopback: anyone who reaches this port uses the swarm with your login')

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
  process.stderr.write(`swarmgate-client-proxy: ${message}\n`)
  process.exitCode = err instanceof SwarmgateError && err.code === 'SG_ERR_CONFIG' ? 2 : 1
})
