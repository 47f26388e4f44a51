/**
 * The multi-node lab: four engines on this machine in namespaces of their own, three swarm
 * managers and a worker on a bridge of their own. scripts/lab.sh holds the one procedure, shared
 * with people who run `npm run lab`; these functions call it and read what it made
 * (/run/swarmgate-lab/NAME/lab.json), so tests and the script cannot drift apart.
 */
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

/** Starts a lab named `name` with `images` loaded into every node beside the swarmgate ones. */
export async function startLab (name: string, images: readonly string[] = []): Promise<Lab> {
  await labScript(['up', '--name', name, ...images.flatMap((i) => ['--image', i])])
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

/** The lab name of this test process: t<pid>, so a finished process's lab can be told apart. */
export const TEST_LAB_NAME = `t${process.pid}`

/** Removes the labs of test processes that no longer run (an interrupted run); returns their names. */
export async function removeStaleLabs (): Promise<string[]> {
  const names = await readdir(RUN_DIR).catch(() => [])
  const stale = names.filter((n) => {
    const pid = /^t(\d+)$/.exec(n)?.[1]
    return pid !== undefined && n !== TEST_LAB_NAME && removableOwner(`pid-${pid}`)
  })
  for (const name of stale) await stopLab(name)
  return stale
}
