/**
 * A docker CLI that keeps running while the test watches it (logs -f, events, attach, stats):
 * output is read as it comes, and the test ends it the way a user would (SIGINT for Ctrl-C) or
 * the way a crash does (SIGKILL).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { dockerEnv } from '../testbed/docker.js'

export interface DockerProcess {
  readonly pid: number
  readonly child: ChildProcessWithoutNullStreams
  stdout (): string
  stderr (): string
  /** Resolves with the output so far once `pattern` matches it; rejects after `timeoutMs`. */
  waitForOutput (pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Waits for the CLI to exit on its own; SIGKILL after `timeoutMs` (the status then says so). */
  wait (timeoutMs?: number): Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** Sends `signal` and resolves with the exit status (null when a signal ended it). */
  stop (signal: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
}

/** Starts `docker args` against `host`; stdin stays open (write to child.stdin) unless `input` is given. */
export function spawnDocker (host: string, args: readonly string[], opts: { env?: Record<string, string>, input?: string } = {}): DockerProcess {
  const child = spawn('docker', args, { env: dockerEnv({ host, ...(opts.env === undefined ? {} : { env: opts.env }) }), stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.setEncoding('utf8').on('data', (c: string) => { out += c })
  child.stderr.setEncoding('utf8').on('data', (c: string) => { err += c })
  child.stdin.on('error', () => {})
  if (opts.input !== undefined) child.stdin.end(opts.input)
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }))
  let done = false
  void exited.then(() => { done = true })
  // A runaway CLI must not outlive the test file.
  const guard = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000)
  guard.unref()
  void exited.then(() => clearTimeout(guard))

  return {
    pid: child.pid as number,
    child,
    stdout: () => out,
    stderr: () => err,
    waitForOutput: async (pattern, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs
      while (!pattern.test(out)) {
        if (done) throw new Error(`docker ${args.join(' ')} exited before printing ${String(pattern)}; stdout: ${out}; stderr: ${err}`)
        if (Date.now() > deadline) throw new Error(`docker ${args.join(' ')} did not print ${String(pattern)} in ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)
        await sleep(50)
      }
      return out
    },
    wait: async (timeoutMs = 30_000) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const status = await exited
      clearTimeout(timer)
      return status
    },
    stop: async (signal, timeoutMs = 10_000) => {
      if (!done) child.kill(signal)
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const status = await exited
      clearTimeout(timer)
      return status
    },
    exited
  }
}
