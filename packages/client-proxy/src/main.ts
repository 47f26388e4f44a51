#!/usr/bin/env node
/**
 * client-proxy's entry point: the one place that reads argv and the environment, listens and
 * handles signals.
 */
import net from 'node:net'
import { chmod, rm } from 'node:fs/promises'
import { createLogger, listen, probeHealth, runProgram, untilStopSignal, PATHS, SwarmgateError } from '@swarmgate/core'
import { program } from './config.js'
import { buildClientProxy } from './app.js'

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'))
}

runProgram(program, async (config, args) => {
  if (args[0] === 'healthcheck') return await probeHealth({ tls: false, host: config.host, port: config.port, path: PATHS.health })
  if (args.length > 0) throw new SwarmgateError('SG_ERR_CONFIG', `unknown command "${args.join(' ')}"; run ${program.name} --help`)

  const logger = createLogger({ name: 'client-proxy', level: config.logLevel, batch: config.logBatch })
  const proxy = await buildClientProxy(config, logger)
  // Listen even when the first token cannot be had yet: the CLI then gets a clear error per call,
  // and the keeper keeps retrying.
  proxy.keeper.renew().catch(() => {})
  proxy.endpoints.start()
  await listen(proxy.server, { port: config.port, host: config.host })
  if (proxy.socketServer !== undefined && config.socket !== undefined) {
    // A socket file left by a previous run would make listen fail with EADDRINUSE.
    await rm(config.socket, { force: true })
    await listen(proxy.socketServer, { path: config.socket })
    await chmod(config.socket, 0o600)
  }
  logger.info({ address: proxy.server.address(), socket: config.socket, swarm: config.swarm, endpoints: config.endpoints }, 'client-proxy listening')
  if (!isLoopback(config.host)) logger.warn({ host: config.host }, 'listening beyond loopback: anyone who reaches this port uses the swarm with your login')

  logger.info({ signal: await untilStopSignal() }, 'shutting down')
  await proxy.close()
  logger.flush()
  return 0
})
