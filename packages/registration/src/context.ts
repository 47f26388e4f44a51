/** What every registration command works with, built once by app.ts. */
import type { Readable, Writable } from 'node:stream'
import type { EngineClient, Labels, Prompter } from '@swarmgate/core'
import type { RegistrationConfig } from './config.js'
import type { SwarmManager } from './preflight.js'

export interface Context {
  readonly config: RegistrationConfig
  readonly manager: SwarmManager
  readonly engine: EngineClient
  /** --label values, put on every object created. */
  readonly labels: Labels
  readonly prompter: Prompter
  readonly stdin: Readable
  /** Results: the success lines, the client command, status, users ls. */
  readonly stdout: Writable
  /** Progress and questions. */
  readonly stderr: Writable & { isTTY?: boolean }
}
