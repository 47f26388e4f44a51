/**
 * Removes what tests created: every service, container, secret, config, network and volume that
 * carries the test label, and nothing else. useEngine(t) runs it before a test file (leftovers of
 * an interrupted run) and after it; test files run one at a time, so that is safe.
 */
import { docker, dockerLines, runDocker } from './docker.js'
import { errors } from './errors.js'
import { TEST_LABEL } from './labels.js'
import { waitFor } from './wait.js'

export interface CleanupReport {
  readonly services: number
  readonly containers: number
  readonly secrets: number
  readonly configs: number
  readonly networks: number
  readonly volumes: number
}

const FILTER = ['--filter', `label=${TEST_LABEL}`]

/** Removes every test-labelled object; throws SG_ERR_TESTBED_CLEANUP naming what stayed. */
export async function cleanup (): Promise<CleanupReport> {
  // Names, not ids: `service ls -q` shortens ids, the task containers' label holds the full one.
  const services = await dockerLines(['service', 'ls', '--format', '{{.Name}}', ...FILTER])
  if (services.length > 0) await docker(['service', 'rm', ...services])
  // A removed service's task containers go with it: removing them at once, instead of waiting
  // out each program's stop grace period, keeps clean-up quick and frees the networks, secrets
  // and volumes they hold.
  for (const name of services) {
    await removeAll(['rm', '-f', '-v'], await dockerLines(['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${name}`]))
  }
  const containers = await removeAll(['rm', '-f', '-v'], await dockerLines(['ps', '-aq', ...FILTER]))
  const secrets = await removeAll(['secret', 'rm'], await dockerLines(['secret', 'ls', '-q', ...FILTER]))
  const configs = await removeAll(['config', 'rm'], await dockerLines(['config', 'ls', '-q', ...FILTER]))
  const networks = await removeAll(['network', 'rm'], await dockerLines(['network', 'ls', '-q', ...FILTER]))
  const volumes = await removeAll(['volume', 'rm', '-f'], await dockerLines(['volume', 'ls', '-q', ...FILTER]))
  return { services: services.length, containers, secrets, configs, networks, volumes }
}

/**
 * Removes `ids` one by one with `command`, retrying for a while: the engine frees a network or
 * volume a little after the last container using it is gone. Returns how many were removed.
 */
async function removeAll (command: readonly string[], ids: readonly string[]): Promise<number> {
  const failed: string[] = []
  for (const id of ids) {
    let last = ''
    const removed = await waitFor(`docker ${command.join(' ')} ${id}`, async () => {
      const r = await runDocker([...command, id])
      // Already gone (removed along with something else) counts as removed.
      if (r.code === 0 || /no such|not found/i.test(r.stderr)) return true
      last = r.stderr.trim()
      return undefined
    }, { timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => false)
    if (!removed) failed.push(`${id} (${last})`)
  }
  if (failed.length > 0) throw errors.SG_ERR_TESTBED_CLEANUP(`docker ${command.join(' ')} failed for ${failed.join(', ')}`)
  return ids.length
}
