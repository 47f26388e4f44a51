#!/usr/bin/env node
/**
 * client's entry point: the one place that reads argv and the environment; runProgram turns a
 * failure into a sentence and an exit status (2 for a usage error, 130 when interrupted, else 1).
 */
import { runProgram } from '@swarmgate/core'
import { runClient } from './app.js'
import { program } from './config.js'

runProgram(program, async (config, args) => {
  await runClient(config, args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
  return 0
}, {
  usageCodes: ['SG_ERR_CLIENT_COMMAND', 'SG_ERR_CLIENT_SWARM_NAME', 'SG_ERR_LABEL_FORMAT', 'SG_ERR_PROMPT_NO_TERMINAL', 'SG_ERR_TLS_PIN_FORMAT'],
  interruptCodes: ['SG_ERR_PROMPT_INTERRUPTED']
})
