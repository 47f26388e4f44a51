#!/usr/bin/env node
/**
 * server-proxy's entry point: the one place that reads argv and the environment, listens and
 * handles signals.
 */
import { createLogger, listen, probeHealth, runProgram, untilStopSignal, PATHS, SwarmgateError } from '@swarmgate/core'
import { program } from './config.js'
import { buildServerProxy } from './app.js'

runProgram(program, async (config, args) => {
  if (args[0] === 'healthcheck') return await probeHealth({ tls: !config.insecureHttp, host: '127.0.0.1', port: config.port, path: PATHS.health })
  if (args.length > 0) throw new SwarmgateError('SG_ERR_CONFIG', `unknown command "${args.join(' ')}"; run ${program.name} --help`)

  const logger = createLogger({ name: 'server-proxy', level: config.logLevel })
  const proxy = await buildServerProxy(config, logger)
  await listen(proxy.server, { port: config.port, host: config.host })
  logger.info({ address: proxy.server.address(), tls: !config.insecureHttp, swarm: config.swarmName, engine: config.engineSocket }, 'server-proxy listening')
  if (config.insecureHttp) logger.warn('serving plain HTTP: tokens travel unencrypted; use this only behind another TLS hop')

  logger.info({ signal: await untilStopSignal() }, 'shutting down')
  await proxy.close()
  logger.flush()
  return 0
})
