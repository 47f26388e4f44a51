/**
 * The steps of the user journey (shared/docs/journey.md) as the end-to-end tests take them: the
 * registration and client images run with `docker run` exactly as a user would, plus the test
 * label on everything they create, so the test bed removes it afterwards.
 */
import { X509Certificate } from 'node:crypto'
import tls from 'node:tls'
import { fingerprintOf } from '../../packages/core/src/tls-pin.js'
import { bridgeHost, LABEL_ARGS, programImage, runDocker, TEST_LABEL_PAIR, waitFor, type RunResult } from '../testbed/index.js'

/** `--label io.swarmgate.test=true` for registration and client, which put it on what they create. */
// This test process's mark: the test bed's clean-up of another file must not take our objects.
const LABEL_FLAG = ['--label', TEST_LABEL_PAIR]
function mountSocket (opts: StepOptions): string[] {
  return ['-v', `${opts.socket ?? '/var/run/docker.sock'}:/var/run/docker.sock`]
}

export interface StepOptions {
  /** Standard input (a password for --password-stdin); closed after. */
  readonly input?: string
  readonly timeoutMs?: number
  /** Extra `docker run` options (before the image). */
  readonly runArgs?: readonly string[]
  /** The engine socket to mount as /var/run/docker.sock; default this machine's. */
  readonly socket?: string
  /** DOCKER_HOST of the engine that runs the container (a lab node's); default this machine's. */
  readonly host?: string
  /** The server-proxy image registration deploys; default the version this tree builds. */
  readonly serverProxyImage?: string
}

/**
 * For a test's first registration (later runs keep it): the swarm watches each updated
 * server-proxy task for 1 s instead of 15 s before the update is done, so every command that
 * rolls server-proxy over (users, teams, hub-token, policy, registration again) returns 14 s
 * sooner. No test of this kind waits for a task that fails after it started.
 */
export const QUICK_UPDATES = ['--update-monitor', '1s'] as const

/** `docker run --rm -i -v sock swarmgate/registration ARGS --label io.swarmgate.test=true`. */
export async function registration (args: readonly string[], opts: StepOptions = {}): Promise<RunResult> {
  return await runDocker(['run', '--rm', '-i', ...LABEL_ARGS, ...mountSocket(opts), ...(opts.runArgs ?? []), programImage('registration'),
    ...args, ...LABEL_FLAG, '--image', opts.serverProxyImage ?? programImage('server-proxy')], { host: opts.host, input: opts.input ?? '', timeoutMs: opts.timeoutMs ?? 300_000 })
}

/** `docker run --rm -i -v sock -e DOCKER_HOST swarmgate/client ARGS` with the test's volume and label. */
export async function client (volume: string, args: readonly string[], opts: StepOptions = {}): Promise<RunResult> {
  return await runDocker(['run', '--rm', '-i', ...LABEL_ARGS, ...mountSocket(opts), '-e', 'DOCKER_HOST', ...(opts.runArgs ?? []), programImage('client'),
    ...args, ...LABEL_FLAG, '--volume', volume, '--image', programImage('client-proxy')], { host: opts.host, input: opts.input ?? '', timeoutMs: opts.timeoutMs ?? 180_000 })
}

export interface ClientCommand {
  readonly swarm: string
  readonly endpoints: string[]
  readonly fingerprint: string
}

/** The client command registration printed, taken apart. */
export function parseClientCommand (stdout: string): ClientCommand {
  const line = stdout.split('\n').find((l) => l.includes('swarmgate/client '))
  const m = line === undefined ? null : /swarmgate\/client (\S+)((?: --endpoint \S+)+) --fingerprint (sha256:[0-9a-f]{64})$/.exec(line.trim())
  if (m === null) throw new Error(`no client command in:\n${stdout}`)
  return { swarm: m[1] as string, endpoints: (m[2] as string).trim().split(/\s+/).filter((w) => w !== '--endpoint'), fingerprint: m[3] as string }
}

/** The `tcp://127.0.0.1:PORT` of an `export DOCKER_HOST=...` line. */
export function exportedHost (stdout: string): string {
  const m = /^ *export DOCKER_HOST=(tcp:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout)
  if (m === null) throw new Error(`no export line in:\n${stdout}`)
  return m[1] as string
}

/**
 * This machine as containers on the default bridge reach it (the client's endpoint), proven
 * reachable first; a failure says which source the address came from (test/testbed/bridge-host.ts).
 */
export async function bridgeGateway (): Promise<string> {
  return (await bridgeHost()).address
}

/** The certificate a TLS endpoint serves and the CA certificate it sends after it, unverified. */
export async function servedCertificates (host: string, port: number): Promise<{ server: X509Certificate, ca: X509Certificate }> {
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false }, () => {
      const served = socket.getPeerCertificate(true)
      socket.destroy()
      resolve({ server: new X509Certificate(served.raw), ca: new X509Certificate(served.issuerCertificate.raw) })
    })
    socket.on('error', reject)
  })
}

/** The pin of the CA certificate a TLS endpoint sends after its own certificate. */
export async function servedCaFingerprint (host: string, port: number): Promise<string> {
  return fingerprintOf((await servedCertificates(host, port)).ca.raw)
}

/** The swarmgate objects registration and client make that are still on the engine (at DOCKER_HOST `host`, default this machine's). */
export async function swarmgateObjects (host?: string): Promise<string[]> {
  const out: string[] = []
  for (const [kind, filter] of [['service', 'name=swarmgate-'], ['secret', 'name=swarmgate-'], ['config', 'name=swarmgate-'], ['network', 'name=swarmgate-server-proxy-network']] as const) {
    const r = await runDocker([kind, 'ls', '--filter', filter, '--format', '{{.Name}}'], { host })
    out.push(...r.stdout.split('\n').filter((l) => l.trim() !== '').map((n) => `${kind} ${n}`))
  }
  return out
}

/** The label `npm run quickstart` puts on the registration it makes. */
export const QUICKSTART_LABEL = 'io.swarmgate.quickstart'

/**
 * Makes sure no registration is on the engine before a journey test registers one (a swarm has
 * one swarmgate-server-proxy). The quick start's registration (README: quick start, then tests,
 * on the same fresh machine) is deregistered, saying so; any other one stops the test, since it
 * is somebody's real registration.
 */
export async function clearRegistrations (log: (line: string) => void): Promise<void> {
  const objects = await swarmgateObjects()
  if (objects.length === 0) return
  const labels = await runDocker(['service', 'inspect', 'swarmgate-server-proxy', '--format', `{{index .Spec.Labels "${QUICKSTART_LABEL}"}}`])
  if (labels.stdout.trim() !== 'true') throw new Error(`this engine already has swarmgate objects: ${objects.join(', ')}`)
  log('deregistering the quick start\'s swarm (npm run quickstart registers it again)')
  const r = await registration(['deregister', '--yes'])
  if (r.code !== 0) throw new Error(`could not deregister the quick start's swarm: ${r.stderr}`)
  // The swarm removes the service's tasks and the overlay network after deregister returns.
  await waitFor('the quick start\'s swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 60_000 })
}
