/**
 * The docker CLI timed from spawn to exit, for the large-stream and hijack measurements: standard
 * input can come from a file and standard output is counted, not kept (saves and `cp ... -` are
 * hundreds of MB). Commands with small output use the test bed's runDocker instead.
 */
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { dockerEnv } from '../test/testbed/docker.js'
import type { BenchPath } from './setup/paths.js'

export interface TimedRun {
  readonly ms: number
  readonly stdoutBytes: number
}

/** Runs `docker args` on `path`, killed after `timeoutMs`; rejects when it does not exit 0. */
export async function timedDocker (path: BenchPath, args: readonly string[], opts: { stdinFile?: string, timeoutMs: number }): Promise<TimedRun> {
  return await new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('docker', args, { env: dockerEnv({ host: path.host, env: path.env }), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdoutBytes = 0
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => { stdoutBytes += chunk.length })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.stdin.on('error', () => {})
    if (opts.stdinFile === undefined) child.stdin.end()
    else createReadStream(opts.stdinFile).pipe(child.stdin)
    child.on('error', (err) => { clearTimeout(timer); reject(err) })
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve({ ms: performance.now() - started, stdoutBytes })
      else reject(new Error(`docker ${args.join(' ')} on ${path.label} exited ${String(code)}: ${stderr.trim()}`))
    })
  })
}
