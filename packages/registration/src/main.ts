#!/usr/bin/env node
/**
 * registration's entry point: the one place that reads argv and the environment; runProgram turns
 * a failure into a sentence and an exit status (2 for a usage error, 130 when interrupted, else 1).
 */
import { runProgram } from '@swarmgate/core'
import { runRegistration } from './app.js'
import { program } from './config.js'

runProgram(program, async (config, args) => {
  await runRegistration(config, args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
  return 0
}, {
  usageCodes: ['SG_ERR_REGISTRATION_COMMAND', 'SG_ERR_LABEL_FORMAT', 'SG_ERR_PROMPT_NO_TERMINAL'],
  interruptCodes: ['SG_ERR_PROMPT_INTERRUPTED']
})
