/**
 * What a test file that needs a multi-node swarm declares once at its top: `useLab(t)`. One lab
 * per file, shared by its tests: started before the first, removed after the last (or, with
 * SWARMGATE_LAB=NAME, the lab a person started with `npm run lab -- up --name NAME`, used and
 * left running, for quick runs while working on a lab test).
 */
import { cleanup } from '../cleanup.js'
import { errors } from '../errors.js'
import { prepareEngine, type EngineNeeds, type Hooks } from '../suite.js'
import { readLab, removeStaleLabs, startLab, stopLab, TEST_LAB_NAME, type Lab, type LabNode } from './lab.js'

/** The lab of a test file, known once the file's first test runs. */
export class LabHandle {
  #lab: Lab | undefined

  /** Set by useLab's before hook. */
  use (lab: Lab): void { this.#lab = lab }

  /** The lab; throws before useLab's before hook has run. */
  get lab (): Lab {
    if (this.#lab === undefined) throw errors.SG_ERR_TESTBED_LAB('the lab is not up yet: use it inside a test, after useLab(t)\'s before hook')
    return this.#lab
  }

  get managers (): LabNode[] { return this.lab.nodes.filter((n) => n.role === 'manager') }
  get workers (): LabNode[] { return this.lab.nodes.filter((n) => n.role === 'worker') }

  /** The node named `name` (m1, m2, m3, w1). */
  node (name: string): LabNode {
    const node = this.lab.nodes.find((n) => n.name === name)
    if (node === undefined) throw errors.SG_ERR_TESTBED_LAB(`the lab has no node ${name} (it has ${this.lab.nodes.map((n) => n.name).join(', ')})`)
    return node
  }
}

/** DOCKER_HOST of a node's engine, for runDocker/docker's `host` option. */
export function nodeHost (node: LabNode): string {
  return `unix://${node.socket}`
}

/**
 * Before the file's first test: this machine's engine as useEngine makes sure of it (the images
 * in `needs` are the ones loaded into the nodes), the labs of finished test processes removed,
 * then this process's lab started. After its last test: the lab removed, then the test objects on
 * this machine's engine. (One call per file, instead of useEngine: tap loses a second `t.before`'s failure.)
 */
export function useLab (t: Hooks, needs: EngineNeeds = {}): LabHandle {
  const handle = new LabHandle()
  const reused = process.env.SWARMGATE_LAB ?? ''
  t.before(async () => {
    await prepareEngine(needs)
    if (reused !== '') {
      handle.use(await readLab(reused))
      return
    }
    await removeStaleLabs()
    handle.use(await startLab(TEST_LAB_NAME, { owner: process.pid }))
  })
  t.teardown(async () => {
    try {
      if (reused === '') await stopLab(TEST_LAB_NAME)
    } finally {
      await cleanup()
    }
  })
  return handle
}
