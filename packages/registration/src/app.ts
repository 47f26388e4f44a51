/**
 * Builds a registration run from a parsed configuration and the process's streams, and runs the
 * command named by the arguments. main.ts is the only caller; tests call it too, with their own
 * streams and engine address.
 */
import type { Readable, Writable } from 'node:stream'
import { parseLabels, Prompter, type TerminalInput } from '@swarmgate/core'
import { audit } from './commands/audit.js'
import { deregister } from './commands/deregister.js'
import { hubToken } from './commands/hub-token.js'
import { policy } from './commands/policy.js'
import { register } from './commands/register.js'
import { status } from './commands/status.js'
import { teams } from './commands/teams.js'
import { users } from './commands/users.js'
import type { RegistrationConfig } from './config.js'
import type { Context } from './context.js'
import { errors } from './errors.js'
import { connectToManager } from './preflight.js'

export interface Streams {
  readonly stdin: TerminalInput
  readonly stdout: Writable
  readonly stderr: Writable & { isTTY?: boolean }
}

const COMMANDS: Record<string, (ctx: Context, args: readonly string[]) => Promise<void>> = {
  register: async (ctx) => { await register(ctx) },
  status: async (ctx) => { await status(ctx) },
  deregister: async (ctx) => { await deregister(ctx) },
  audit: async (ctx) => { await audit(ctx) },
  users,
  teams,
  'hub-token': hubToken,
  policy
}

/** The commands that take arguments of their own. */
const WITH_ARGUMENTS = new Set(['users', 'teams', 'hub-token', 'policy'])

/**
 * Settings of the registration itself, which only a registration run (no command) changes: given
 * to another command they would be ignored, so they are refused instead.
 */
function refuseMisplacedSettings (config: RegistrationConfig, command: string): void {
  if (command === 'register') return
  const given = [['--docker-hub-url', config.dockerHubUrl], ['--docker-hub-ca', config.dockerHubCa], ['--docker-hub-grace', config.dockerHubGrace]].filter(([, value]) => value !== undefined).map(([flag]) => flag)
  if (given.length > 0) {
    throw errors.SG_ERR_REGISTRATION_COMMAND(`${given.join(', ')} change the registration: give them to a registration run without a command (it keeps keys, accounts and teams), not to ${command}`)
  }
}

/** Runs `args` (a command and its arguments; none means register). */
export async function runRegistration (config: RegistrationConfig, args: readonly string[], io: Streams): Promise<void> {
  const [command = 'register', ...rest] = args
  const run = COMMANDS[command]
  if (run === undefined || (!WITH_ARGUMENTS.has(command) && rest.length > 0)) {
    throw errors.SG_ERR_REGISTRATION_COMMAND(`"${args.join(' ')}": the commands are status, deregister, users ls|add|set-role|passwd|rm, teams ls|add|rm, hub-token ORG, policy show|set|check and audit (none registers); see --help`)
  }
  refuseMisplacedSettings(config, command)
  const labels = parseLabels(config.labels)
  const manager = await connectToManager(config.dockerHost, { tlsVerify: config.tlsVerify, certPath: config.certPath })
  const ctx: Context = {
    config,
    manager,
    engine: manager.engine,
    labels,
    prompter: new Prompter(io.stdin, io.stderr),
    stdin: io.stdin as Readable,
    stdout: io.stdout,
    stderr: io.stderr
  }
  try {
    await run(ctx, rest)
  } finally {
    await manager.engine.close()
  }
}
