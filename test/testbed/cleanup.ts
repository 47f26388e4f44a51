/**
 * Removes what tests created: every service, container, secret, config, network and volume whose
 * test label says this process made it or that its maker is gone (labels.ts), and nothing else.
 * useEngine(t) runs it before a test file (leftovers of an interrupted run) and after it.
 */
import { docker, dockerLines, runDocker } from './docker.js'
import { errors } from './errors.js'
import { removableOwner, TEST_LABEL } from './labels.js'
import { waitFor } from './wait.js'

export interface CleanupReport {
  readonly services: number
  readonly containers: number
  readonly secrets: number
  readonly configs: number
  readonly networks: number
  readonly volumes: number
}

interface Kind {
  readonly report: keyof CleanupReport
  /** `docker inspect --type` of the kind. */
  readonly type: string
  readonly list: readonly string[]
  /** Go templates of the object's name (or id) and of its labels, in `docker inspect`. */
  readonly name: string
  readonly labels: string
  readonly remove: readonly string[]
}

// In removal order: services hold containers, containers hold networks and volumes, services
// hold secrets and configs.
const KINDS: readonly Kind[] = [
  { report: 'services', type: 'service', list: ['service', 'ls', '-q'], name: '.Spec.Name', labels: '.Spec.Labels', remove: ['service', 'rm'] },
  { report: 'containers', type: 'container', list: ['ps', '-aq'], name: '.Id', labels: '.Config.Labels', remove: ['rm', '-f', '-v'] },
  { report: 'secrets', type: 'secret', list: ['secret', 'ls', '-q'], name: '.ID', labels: '.Spec.Labels', remove: ['secret', 'rm'] },
  { report: 'configs', type: 'config', list: ['config', 'ls', '-q'], name: '.ID', labels: '.Spec.Labels', remove: ['config', 'rm'] },
  { report: 'networks', type: 'network', list: ['network', 'ls', '-q'], name: '.Id', labels: '.Labels', remove: ['network', 'rm'] },
  { report: 'volumes', type: 'volume', list: ['volume', 'ls', '-q'], name: '.Name', labels: '.Labels', remove: ['volume', 'rm', '-f'] }
]

/** Removes every test object this process may remove; throws SG_ERR_TESTBED_CLEANUP naming what stayed. */
export async function cleanup (): Promise<CleanupReport> {
  const report: Record<keyof CleanupReport, number> = { services: 0, containers: 0, secrets: 0, configs: 0, networks: 0, volumes: 0 }
  for (const kind of KINDS) {
    const names = await removableOf(kind)
    report[kind.report] = await removeAll(kind.remove, names)
    if (kind.type === 'service') {
      // A removed service's task containers go with it: removing them at once, instead of
      // waiting out each program's stop grace period, keeps clean-up quick and frees the
      // networks, secrets and volumes they hold.
      for (const service of names) {
        await removeAll(['rm', '-f', '-v'], await dockerLines(['ps', '-aq', '--filter', `label=com.docker.swarm.service.name=${service}`]))
      }
    }
  }
  return report
}

/** The names of the test-labelled objects of `kind` that this process may remove. */
async function removableOf (kind: Kind): Promise<string[]> {
  const ids = await dockerLines([...kind.list, '--filter', `label=${TEST_LABEL}`])
  if (ids.length === 0) return []
  // Objects removed meanwhile make inspect fail for them only; the others still print.
  const r = await runDocker(['inspect', '--type', kind.type, '--format', `{{${kind.name}}} {{index ${kind.labels} "${TEST_LABEL}"}}`, ...ids])
  return r.stdout.split('\n').filter((l) => l.trim() !== '').flatMap((line) => {
    const [name = '', owner = ''] = line.trim().split(' ')
    return removableOwner(owner) ? [name] : []
  })
}

/**
 * Removes `names` one by one with `command`, retrying for a while: the engine frees a network or
 * volume a little after the last container using it is gone. Returns how many were removed.
 */
async function removeAll (command: readonly string[], names: readonly string[]): Promise<number> {
  const failed: string[] = []
  for (const name of names) {
    let last = ''
    const removed = await waitFor(`docker ${command.join(' ')} ${name}`, async () => {
      const r = await runDocker([...command, name])
      // Already gone (removed along with something else) counts as removed.
      if (r.code === 0 || /no such|not found/i.test(r.stderr)) return true
      last = r.stderr.trim()
      return undefined
    }, { timeoutMs: 30_000, intervalMs: 1_000 }).catch(() => false)
    if (!removed) failed.push(`${name} (${last})`)
  }
  if (failed.length > 0) throw errors.SG_ERR_TESTBED_CLEANUP(`docker ${command.join(' ')} failed for ${failed.join(', ')}`)
  return names.length
}
