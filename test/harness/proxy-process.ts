/**
 * One swarmgate proxy program (server-proxy or client-proxy) running as a child process, the way
 * it runs for real: its own pid (so /proc/<pid>/fd can be counted), its pino log lines collected,
 * its port read from the "... listening" line because it listens on port 0.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { readdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** The repository root: the programs are packages/<name>/dist/main.js below it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

const START_TIMEOUT_MS = 20_000
/** docker/server-proxy.Dockerfile's MALLOC_MMAP_THRESHOLD_ (4 MiB). */
const SERVER_PROXY_MALLOC_MMAP_THRESHOLD = '4194304'
/** The V8 options docker/server-proxy.Dockerfile and docker/client-proxy.Dockerfile start node with. */
export const PROXY_NODE_OPTIONS: readonly string[] = ['--initial-old-space-size=64', '--max-semi-space-size=4']
const STOP_TIMEOUT_MS = 5_000

export interface ProxyProcess {
  readonly name: string
  readonly pid: number
  readonly port: number
  /** Every line the program wrote so far, standard output and standard error interleaved. */
  lines (): readonly string[]
  /** Parsed JSON log lines (pino); lines that are not JSON are left out. */
  records (): Array<Record<string, unknown>>
  /** Open file descriptors of the process, from /proc/<pid>/fd. */
  openFds (): Promise<number>
  /** SIGTERM, then SIGKILL if it has not exited in time; resolves once it has exited. */
  stop (): Promise<void>
  /** Resolves with the exit status (null when a signal ended it) once the process has exited, however it was stopped. */
  exited (): Promise<number | null>
}

export interface ProxyProcessOptions {
  /** Node options placed before the program (the benchmark's --cpu-prof); default none. */
  readonly nodeArgs?: readonly string[]
  /**
   * Keep only the last this many lines; default all. The benchmark sends hundreds of thousands of
   * calls, one log line each, and must not hold them all in its own memory.
   */
  readonly maxLines?: number
  /**
   * Log lines in batches, as the programs write them by default (the benchmark); default off:
   * tests read a call's log lines right after its answer.
   */
  readonly logBatch?: boolean
}

/**
 * Starts `node packages/<pkg>/dist/main.js args` and resolves once it logged that it listens.
 * Rejects with everything it printed when it exits first or does not listen in time.
 */
export async function startProxyProcess (pkg: 'server-proxy' | 'client-proxy', args: readonly string[], opts: ProxyProcessOptions = {}): Promise<ProxyProcess> {
  // The proxies read SWARMGATE_* from the environment; the test's own must not leak into them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SWARMGATE_')))
  // As docker/server-proxy.Dockerfile runs it: a fixed glibc mmap threshold, so the 16 MiB of each
  // login's scrypt is returned when freed instead of staying in a pool thread's arena.
  if (pkg === 'server-proxy') env.MALLOC_MMAP_THRESHOLD_ = SERVER_PROXY_MALLOC_MMAP_THRESHOLD
  env.SWARMGATE_LOG_BATCH = opts.logBatch === true ? 'on' : 'off'
  const child = spawn(process.execPath, [...PROXY_NODE_OPTIONS, ...(opts.nodeArgs ?? []), `packages/${pkg}/dist/main.js`, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  const collect = (stream: NodeJS.ReadableStream): void => {
    let rest = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n')
      rest = parts.pop() ?? ''
      lines.push(...parts)
      if (opts.maxLines !== undefined && lines.length > opts.maxLines) lines.splice(0, lines.length - opts.maxLines)
    })
    stream.on('end', () => { if (rest !== '') lines.push(rest) })
  }
  collect(child.stdout as NodeJS.ReadableStream)
  collect(child.stderr as NodeJS.ReadableStream)
  const exited = once(child, 'exit')

  const port = await waitForListening(pkg, child, lines, exited)
  const pid = child.pid as number
  const records = (): Array<Record<string, unknown>> => lines.flatMap((l) => {
    try { return [JSON.parse(l) as Record<string, unknown>] } catch { return [] }
  })
  return {
    name: pkg,
    pid,
    port,
    lines: () => [...lines],
    records,
    openFds: async () => (await readdir(`/proc/${pid}/fd`)).length,
    stop: async () => { await stopChild(child, exited) },
    exited: async () => { await exited; return child.exitCode }
  }
}

async function waitForListening (pkg: string, child: ChildProcess, lines: readonly string[], exited: Promise<unknown>): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS
  let gone = false
  void exited.then(() => { gone = true })
  while (Date.now() < deadline && !gone) {
    for (const line of lines) {
      if (!line.includes(`"${pkg} listening"`)) continue
      const port = (JSON.parse(line) as { address?: { port?: number } }).address?.port
      if (typeof port === 'number') return port
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (!gone) child.kill('SIGKILL')
  throw new Error(`${pkg} did not start listening (${gone ? `exited ${String(child.exitCode)}` : 'timed out'}):\n${lines.join('\n')}`)
}

async function stopChild (child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/**
 * The first of `proxy`'s log records that `match` accepts, waited for up to `timeoutMs`: a line
 * reaches the pipe a moment after the answer of the call it tells of. Undefined when none came.
 */
export async function loggedRecord (proxy: Pick<ProxyProcess, 'records'>, match: (r: Record<string, unknown>) => boolean, timeoutMs = 3_000): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = proxy.records().find(match)
    if (found !== undefined || Date.now() >= deadline) return found
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
