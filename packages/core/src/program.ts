/**
 * The frame every swarmgate program's main.ts runs in: parse argv and the environment against the
 * declaration, answer --help and --version, run, and have one top-level catch that prints a
 * sentence and sets the exit status (2 for usage errors, 130 when interrupted, 1 otherwise).
 */
import { createRequire } from 'node:module'
import { parseArgs, renderHelp, type Config, type OptionSpec, type ProgramSpec } from './config.js'
import { SwarmgateError } from './errors.js'

export interface RunOptions {
  /** Error codes that mean the user called the program wrongly (exit status 2). */
  readonly usageCodes?: readonly string[]
  /** Error codes that mean the user interrupted the program (exit status 130). */
  readonly interruptCodes?: readonly string[]
}

/** The `version` of the package.json next to a module's folder (`../package.json` from dist/). */
export function packageVersion (moduleUrl: string): string {
  return (createRequire(moduleUrl)('../package.json') as { version: string }).version
}

/** Runs `main` with the parsed config and positional arguments; never throws. */
export function runProgram<O extends Record<string, OptionSpec>> (
  spec: ProgramSpec<O>,
  main: (config: Config<O>, args: readonly string[]) => Promise<number | undefined>,
  opts: RunOptions = {}
): void {
  const usage = new Set(['SG_ERR_CONFIG', ...(opts.usageCodes ?? [])])
  const interrupt = new Set(opts.interruptCodes ?? [])
  const run = async (): Promise<number> => {
    const parsed = parseArgs(spec, process.argv.slice(2), process.env)
    if (parsed.action === 'help') { process.stdout.write(renderHelp(spec)); return 0 }
    if (parsed.action === 'version') { process.stdout.write(`${spec.version}\n`); return 0 }
    return await main(parsed.config, parsed.args) ?? 0
  }
  run().then((code) => { process.exitCode = code }, (err: unknown) => {
    const known = err instanceof SwarmgateError
    process.stderr.write(`${spec.name}: ${known ? err.message : `unexpected failure: ${(err as Error).stack ?? String(err)}`}\n`)
    process.exitCode = known && usage.has(err.code) ? 2 : known && interrupt.has(err.code) ? 130 : 1
  })
}
