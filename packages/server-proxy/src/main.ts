#!/usr/bin/env node
/**
 * server-proxy's entry point: the one place that reads argv and the environment, listens and
 * handles signals.
 */
import type { Server } from 'node:http'
import { createLogger, listen, probeHealth, runProgram, untilStopSignal, PATHS, SwarmgateError } from '@swarmgate/core'
import { program } from './config.js'
import { buildServerProxy } from './app.js'
import { buildNodeAgent } from './node-agent/index.js'
import { ServerMetrics, metricsServer, parseMetricsAddress } from './metrics/index.js'

runProgram(program, async (config, args) => {
  if (args[0] === 'healthcheck') return await probeHealth({ tls: !config.insecureHttp, host: '127.0.0.1', port: config.port, path: PATHS.health })
  if (args.length > 0) throw new SwarmgateError('SG_ERR_CONFIG', `unknown command "${args.join(' ')}"; run ${program.name} --help`)

  const metricsAt = config.metricsAddress === undefined ? undefined : parseMetricsAddress(config.metricsAddress)
  const logger = createLogger({ name: 'server-proxy', level: config.logLevel, batch: config.logBatch })
  const metrics = new ServerMetrics(program.version)
  const proxy = config.nodeAgent ? await buildNodeAgent(config, logger, metrics) : await buildServerProxy(config, logger, metrics)
  await listen(proxy.server, { port: config.port, host: config.host })
  logger.info({ address: proxy.server.address(), nodeAgent: config.nodeAgent, tls: !config.insecureHttp, swarm: config.swarmName, engine: config.engineSocket }, 'server-proxy listening')
  if (config.insecureHttp) logger.warn('serving plain HTTP: tokens travel unencrypted; use this only behind another TLS hop')

  // Started last: a scrape never sees a proxy that is not yet serving.
  let scrape: Server | undefined
  if (metricsAt !== undefined) {
    scrape = metricsServer(metrics.registry)
    await listen(scrape, metricsAt)
    logger.info({ address: scrape.address() }, 'metrics served at /metrics')
  }

  logger.info({ signal: await untilStopSignal() }, 'shutting down')
  // A manager's server-proxy drains (docs/protocol.md, "Draining"). A node agent does not: its
  // answers pass through a manager to the client, where the draining header would send the client
  // away from a manager that is not stopping.
  await proxy.drain?.run(config.drainTimeout * 1000)
  scrape?.close()
  await proxy.close()
  logger.flush()
  return 0
// A malformed --metrics-address is a usage error, as any malformed flag.
}, { usageCodes: ['SG_ERR_METRICS_ADDRESS'] })
