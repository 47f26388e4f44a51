/**
 * Builds a client run from a parsed configuration and the process's streams, and runs the command
 * named by the arguments. main.ts is the only caller.
 */
import type { Readable, Writable } from 'node:stream'
import { parseLabels, Prompter, type TerminalInput } from '@swarmgate/core'
import { connect } from './commands/connect.js'
import { ls } from './commands/ls.js'
import { rm } from './commands/rm.js'
import type { ClientConfig } from './config.js'
import type { Context } from './context.js'
import { errors } from './errors.js'
import { connectLocalEngine } from './local-engine.js'
import { swarmRef } from './names.js'
import { StateVolume } from './state-volume.js'

export interface Streams {
  readonly stdin: TerminalInput
  readonly stdout: Writable
  readonly stderr: Writable
}

/** The command `args` name, checked before the engine is touched. */
function commandOf (args: readonly string[]): (ctx: Context) => Promise<void> {
  const [first, ...rest] = args
  if (first === 'ls' && rest.length === 0) return ls
  if (first === 'rm' && rest.length === 1) {
    const ref = swarmRef(rest[0])
    return async (ctx) => { await rm(ctx, ref) }
  }
  if (first !== undefined && first !== 'ls' && first !== 'rm' && rest.length === 0) {
    const ref = swarmRef(first)
    return async (ctx) => { await connect(ctx, ref) }
  }
  throw errors.SG_ERR_CLIENT_COMMAND(`"${args.join(' ')}": give NS/NAME to connect, ls, or rm NS/NAME; see --help`)
}

/** Runs `args`: NS/NAME, ls, or rm NS/NAME. */
export async function runClient (config: ClientConfig, args: readonly string[], io: Streams): Promise<void> {
  const run = commandOf(args)
  const labels = parseLabels(config.labels)
  const engine = await connectLocalEngine(config.dockerHost, { tlsVerify: config.tlsVerify, certPath: config.certPath })
  try {
    await run({
      config,
      engine,
      labels,
      state: new StateVolume(engine, { volume: config.volume, image: config.image, labels }),
      prompter: new Prompter(io.stdin, io.stderr),
      stdin: io.stdin as Readable,
      stdout: io.stdout,
      stderr: io.stderr
    })
  } finally {
    await engine.close()
  }
}
