/** What every client command works with, built once by app.ts. */
import type { Readable, Writable } from 'node:stream'
import type { EngineClient, Labels, Prompter } from '@swarmgate/core'
import type { ClientConfig } from './config.js'
import type { StateVolume } from './state-volume.js'

export interface Context {
  readonly config: ClientConfig
  readonly engine: EngineClient
  /** --label values, put on every object created. */
  readonly labels: Labels
  readonly state: StateVolume
  readonly prompter: Prompter
  readonly stdin: Readable
  /** The export line (and, without --quiet, the sentence before it); ls. */
  readonly stdout: Writable
  /** Questions and progress. */
  readonly stderr: Writable
}
