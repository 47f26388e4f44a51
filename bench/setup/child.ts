/**
 * A long-running helper program of the benchmark (dockerd, sshd, ssh -L): its output goes to a
 * log file, and stop() ends it with SIGTERM and waits until the process is gone (SIGKILL after
 * `graceMs`), so nothing the benchmark started outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { openSync, closeSync, readFileSync } from 'node:fs'
import { waitFor } from '../../test/testbed/wait.js'
import { portOpen } from './ports.js'

export interface Helper {
  readonly pid: number
  readonly name: string
  /** True until the process has exited. */
  running (): boolean
  /** The end of its log, for error messages. */
  logTail (lines?: number): string
  stop (): Promise<void>
}

/** Starts `command args` with stdout and stderr appended to `logFile`. */
export function startHelper (name: string, command: string, args: readonly string[], logFile: string, opts: { env?: NodeJS.ProcessEnv, graceMs?: number } = {}): Helper {
  const fd = openSync(logFile, 'a')
  let child: ChildProcess
  try {
    child = spawn(command, args, { stdio: ['ignore', fd, fd], env: opts.env ?? process.env })
  } finally {
    closeSync(fd)
  }
  const exited = once(child, 'exit').catch(() => undefined)
  let gone = false
  void exited.then(() => { gone = true })
  child.on('error', () => { gone = true })
  return {
    pid: child.pid ?? 0,
    name,
    running: () => !gone,
    logTail: (lines = 20) => readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n'),
    stop: async () => {
      if (gone) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.graceMs ?? 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}

/** Waits until `helper` accepts connections on 127.0.0.1:`port`; fails with its log's end if it exits first. */
export async function untilListening (helper: Helper, port: number): Promise<void> {
  await waitFor(`${helper.name} to listen on ${port}`, async () => {
    if (!helper.running()) throw new Error(`${helper.name} exited:\n${helper.logTail()}`)
    return await portOpen(port) ? true : undefined
  }, { timeoutMs: 30_000, intervalMs: 100 })
}
