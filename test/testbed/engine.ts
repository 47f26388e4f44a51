/**
 * The real Docker engine every test run uses. scripts/engine.sh holds the one procedure (use the
 * engine on the socket, else install and start dockerd, then make it a swarm manager), shared with
 * quickstart and CI; these functions call it so tests and scripts cannot drift apart.
 */
import { open, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { errors } from './errors.js'
import { run } from './process.js'

/** The repository root: the scripts live there. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface EnsureOptions {
  /** Also install what tests use (busybox-static, docker-registry, apache2-utils, openssl, tmux). */
  readonly testTools?: boolean
}

async function engineScript (args: readonly string[]): Promise<void> {
  // Installing packages on a fresh machine takes minutes; the script bounds its own waits.
  const r = await run('bash', ['scripts/engine.sh', ...args], { cwd: REPO_ROOT, timeoutMs: 15 * 60_000 })
  if (r.code !== 0) {
    throw errors.SG_ERR_TESTBED_ENGINE(`scripts/engine.sh ${args.join(' ')} failed: ${r.stderr.trim()}\n${await dockerdLog()}`)
  }
}

/** Makes sure an engine answers on /var/run/docker.sock, installing and starting one if needed. */
export async function ensureEngine (opts: EnsureOptions = {}): Promise<void> {
  await engineScript(['--no-swarm', ...(opts.testTools === true ? ['--test-tools'] : [])])
}

/** Makes sure the engine answers and is a swarm manager (single node, advertising 127.0.0.1). */
export async function ensureSwarm (opts: EnsureOptions = {}): Promise<void> {
  await engineScript(opts.testTools === true ? ['--test-tools'] : [])
}

// Where a dockerd started by engine.sh logs, then where one started some other way on a machine
// of this kind does (the environment's own start, Debian's init script).
const DOCKERD_LOGS = [
  process.env.SWARMGATE_DOCKERD_LOG ?? '/var/log/swarmgate-dockerd.log',
  '/var/log/dockerd.log',
  '/var/log/docker.log'
]

/** The last `lines` lines of the engine's log, for failure reports; says so when there is none. */
export async function dockerdLog (lines = 40): Promise<string> {
  let newest: { path: string, mtime: number, size: number } | undefined
  for (const path of DOCKERD_LOGS) {
    const s = await stat(path).catch(() => undefined)
    if (s?.isFile() === true && (newest === undefined || s.mtimeMs > newest.mtime)) newest = { path, mtime: s.mtimeMs, size: s.size }
  }
  if (newest === undefined) return `(no dockerd log found in ${DOCKERD_LOGS.join(', ')})`
  // The log grows for the machine's lifetime; only its end matters.
  const length = Math.min(newest.size, 256 * 1024)
  const file = await open(newest.path, 'r')
  try {
    const { buffer } = await file.read(Buffer.alloc(length), 0, length, newest.size - length)
    const tail = buffer.toString().split('\n').filter((l) => l !== '').slice(-lines)
    return `last ${tail.length} lines of ${newest.path}:\n${tail.join('\n')}`
  } finally {
    await file.close()
  }
}
