/**
 * The multi-node lab: four engines on this machine in namespaces of their own, three swarm
 * managers and a worker on a bridge of their own. scripts/lab.sh holds the one procedure, shared
 * with people who run `npm run lab`; these functions call it and read what it made
 * (/run/swarmgate-lab/NAME/lab.json), so tests and the script cannot drift apart.
 */
import { randomBytes } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { REPO_ROOT } from '../engine.js'
import { errors } from '../errors.js'
import { removableOwner } from '../labels.js'
import { run } from '../process.js'

/** One engine of the lab. */
export interface LabNode {
  /** m1, m2, m3 (managers) or w1 (the worker); also its hostname and swarm node name. */
  readonly name: string
  readonly role: 'manager' | 'worker'
  /** Its address on the lab's bridge, which it advertises to the swarm. */
  readonly address: string
  /** The process holding its namespaces: nsenter --net=/proc/PID/ns/net. */
  readonly pid: number
  /** Its engine's socket, reachable from this machine. */
  readonly socket: string
  readonly dataRoot: string
  /** Its dockerd's log, for failure reports. */
  readonly log: string
}

/** A lab as scripts/lab.sh describes it in lab.json. */
export interface Lab {
  readonly name: string
  readonly bridge: string
  readonly subnet: string
  /** This machine's address on the lab's bridge. */
  readonly host: string
  /** How long `up` took, in seconds. */
  readonly startSeconds: number
  /** The images loaded into every node. */
  readonly images: readonly string[]
  readonly nodes: readonly LabNode[]
}

const RUN_DIR = '/run/swarmgate-lab'

// Lab start builds nothing (the caller made sure of the images); its own waits are bounded.
const SCRIPT_TIMEOUT_MS = 5 * 60_000

async function labScript (args: readonly string[]): Promise<void> {
  const r = await run('bash', ['scripts/lab.sh', ...args], { cwd: REPO_ROOT, timeoutMs: SCRIPT_TIMEOUT_MS })
  if (r.code !== 0) throw errors.SG_ERR_TESTBED_LAB(`scripts/lab.sh ${args.join(' ')} failed (exit ${String(r.code)}): ${r.stderr.trim()}`)
}

export interface StartOptions {
  /** Images to load into every node beside the swarmgate ones and swarmgate-test/busybox. */
  readonly images?: readonly string[]
  /** The process the lab belongs to: once it has ended, removeStaleLabs() removes the lab. */
  readonly owner?: number
}

/** Starts a lab named `name`; a start that fails leaves nothing behind (scripts/lab.sh). */
export async function startLab (name: string, opts: StartOptions = {}): Promise<Lab> {
  const owner = opts.owner === undefined ? [] : ['--owner', String(opts.owner)]
  await labScript(['up', '--name', name, ...owner, ...(opts.images ?? []).flatMap((i) => ['--image', i])])
  return await readLab(name)
}

/** Removes the lab named `name`, whatever state it is in; nothing of it is left. */
export async function stopLab (name: string): Promise<void> {
  await labScript(['down', '--name', name])
}

/** The lab named `name` that is up, as lab.json describes it. */
export async function readLab (name: string): Promise<Lab> {
  const path = `${RUN_DIR}/${name}/lab.json`
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Lab
  } catch (err) {
    throw errors.SG_ERR_TESTBED_LAB(`no lab named ${name} is up (${path}: ${(err as Error).message}); start one with npm run lab -- up --name ${name}`, err)
  }
}

/**
 * The lab name of this test process: random, since a test process's pid is not unique enough
 * (test runs in pid namespaces of their own, scripts/isolated-engine.sh, share the lab's data
 * folder with this machine).
 */
export const TEST_LAB_NAME = `t${randomBytes(3).toString('hex')}`

/** Removes the labs whose owner (StartOptions) no longer runs: an interrupted test run's; returns their names. */
export async function removeStaleLabs (): Promise<string[]> {
  const stale: string[] = []
  for (const name of await readdir(RUN_DIR).catch(() => [])) {
    // A lab started by hand has no owner; one still starting may not have written it yet.
    const owner = (await readFile(`${RUN_DIR}/${name}/owner`, 'utf8').catch(() => '')).trim()
    if (/^\d+$/.test(owner) && name !== TEST_LAB_NAME && removableOwner(`pid-${owner}`)) stale.push(name)
  }
  for (const name of stale) await stopLab(name)
  return stale
}
