/**
 * Running a program from a test: output captured, a bounded run time, and an exit status that is
 * reported rather than thrown, so a test can assert on failures as well as successes.
 */
import { spawn } from 'node:child_process'
import { errors } from './errors.js'

export interface RunOptions {
  /** Killed (SIGKILL) after this long; default 2 minutes. */
  readonly timeoutMs?: number
  /** Written to standard input, which is then closed. */
  readonly input?: string | Buffer
  /** The whole environment of the program; default this process's environment. */
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

export interface RunResult {
  readonly stdout: string
  readonly stderr: string
  /** Exit status; null when the program was ended by a signal (after a timeout, SIGKILL). */
  readonly code: number | null
  readonly timedOut: boolean
}

const DEFAULT_TIMEOUT_MS = 120_000

/** Runs `command` with `args`; resolves with its output and exit status whatever they are. */
export async function run (command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    // A program that exits without reading its input makes the write fail with EPIPE; its exit
    // status says what happened.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input)
    child.on('error', (err) => { clearTimeout(timer); reject(errors.SG_ERR_TESTBED_COMMAND(`${command} could not be started`, err)) })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString(), code, timedOut })
    })
  })
}

/** Runs `command` and returns its standard output; throws with its standard error unless it exits 0. */
export async function runChecked (command: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(command, args, opts)
  if (r.timedOut) throw errors.SG_ERR_TESTBED_TIMEOUT(`${command} ${args.join(' ')} ran longer than ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`)
  if (r.code !== 0) throw errors.SG_ERR_TESTBED_COMMAND(`${command} ${args.join(' ')} exited ${String(r.code)}: ${r.stderr.trim() || r.stdout.trim()}`)
  return r.stdout
}
