#!/usr/bin/env node
/**
 * client's entry point: the one place that reads argv and the environment and turns a failure
 * into a sentence and an exit status (2 for a usage error, 130 when interrupted, else 1).
 */
import { parseArgs, renderHelp, SwarmgateError } from '@swarmgate/core'
import { runClient } from './app.js'
import { program } from './config.js'

async function main (): Promise<number> {
  const parsed = parseArgs(program, process.argv.slice(2), process.env)
  if (parsed.action === 'help') { process.stdout.write(renderHelp(program)); return 0 }
  if (parsed.action === 'version') { process.stdout.write(`${program.version}\n`); return 0 }
  await runClient(parsed.config, parsed.args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
  return 0
}

const USAGE = new Set(['SG_ERR_CONFIG', 'SG_ERR_CLIENT_COMMAND', 'SG_ERR_CLIENT_SWARM_NAME', 'SG_ERR_LABEL_FORMAT', 'SG_ERR_PROMPT_NO_TERMINAL', 'SG_ERR_TLS_PIN_FORMAT'])

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  const message = err instanceof SwarmgateError ? err.message : `unexpected failure: ${(err as Error).stack ?? String(err)}`
  process.stderr.write(`swarmgate-client: ${message}\n`)
  process.exitCode = err instanceof SwarmgateError && USAGE.has(err.code) ? 2 : err instanceof SwarmgateError && err.code === 'SG_ERR_PROMPT_INTERRUPTED' ? 130 : 1
})
