/**
 * The docker CLI as tests use it: against the local engine socket unless a test names another
 * host (the swarmgate chain), with the classic builder because this machine has no buildx.
 */
import { run, runChecked, type RunOptions, type RunResult } from './process.js'

/** The engine the test bed manages. */
export const ENGINE_SOCKET = '/var/run/docker.sock'

export interface DockerOptions extends Omit<RunOptions, 'env'> {
  /** DOCKER_HOST to use, e.g. tcp://127.0.0.1:PORT for a client-proxy; default the local socket. */
  readonly host?: string
  /** Extra environment, e.g. DOCKER_CONFIG for a test's own login state. */
  readonly env?: Record<string, string>
}

/** The environment the docker CLI runs with: `opts.host` as DOCKER_HOST, the classic builder, `opts.env` on top. */
export function dockerEnv (opts: DockerOptions): NodeJS.ProcessEnv {
  // DOCKER_CONTEXT would override DOCKER_HOST; a developer's exported DOCKER_HOST must not
  // decide which engine the tests create objects on; DOCKER_TLS_VERIFY, DOCKER_TLS and
  // DOCKER_CERT_PATH (set for an engine's TLS listener) would make the CLI speak TLS to a
  // plain-HTTP client-proxy.
  const { DOCKER_CONTEXT: _context, DOCKER_TLS_VERIFY: _verify, DOCKER_TLS: _tls, DOCKER_CERT_PATH: _certs, ...env } = process.env
  return { ...env, DOCKER_HOST: opts.host ?? `unix://${ENGINE_SOCKET}`, DOCKER_BUILDKIT: '0', ...opts.env }
}

/** Runs `docker args`; resolves with output and exit status whatever they are. */
export async function runDocker (args: readonly string[], opts: DockerOptions = {}): Promise<RunResult> {
  return await run('docker', args, { ...opts, env: dockerEnv(opts) })
}

/** Runs `docker args` and returns its trimmed standard output; throws unless it exits 0. */
export async function docker (args: readonly string[], opts: DockerOptions = {}): Promise<string> {
  return (await runChecked('docker', args, { ...opts, env: dockerEnv(opts) })).trim()
}

/** Runs `docker args` (an inspect or a --format '{{json .}}') and parses its output as JSON. */
export async function dockerJson<T> (args: readonly string[], opts: DockerOptions = {}): Promise<T> {
  return JSON.parse(await docker(args, opts)) as T
}

/** The non-empty lines of `docker args`, e.g. the ids from `docker ps -q`. */
export async function dockerLines (args: readonly string[], opts: DockerOptions = {}): Promise<string[]> {
  return (await docker(args, opts)).split('\n').map((l) => l.trim()).filter((l) => l !== '')
}
