/**
 * Where the agent of a node is reached: the node named by its ID or (when only one node has it)
 * its hostname, asked of this manager's engine, then the overlay address of the running agent
 * task on that node. Asked on every call, so an agent restarted elsewhere in its subnet is found
 * at once; two small reads of the manager's own engine.
 */
import { NODE_AGENT_NETWORK, NODE_AGENT_SERVICE, SwarmgateError, describeUpstreamError, type Upstream } from '@swarmgate/core'
import { errors } from '../errors.js'

/** The agent serving one node. */
export interface AgentAddress {
  readonly nodeId: string
  readonly hostname: string
  /** The agent task's address on the overlay network. */
  readonly host: string
}

interface NodeEntry { readonly ID?: unknown, readonly Description?: { readonly Hostname?: unknown } }
interface TaskEntry {
  readonly Status?: { readonly State?: unknown }
  readonly NetworksAttachments?: ReadonlyArray<{ readonly Network?: { readonly Spec?: { readonly Name?: unknown } }, readonly Addresses?: readonly unknown[] }>
}

export class AgentDirectory {
  readonly #engine: Upstream

  constructor (engine: Upstream) {
    this.#engine = engine
  }

  /** The agent of `node` (an ID or a hostname); throws SG_ERR_NODE_UNKNOWN or SG_ERR_NODE_AGENT_DOWN. */
  async find (node: string): Promise<AgentAddress> {
    const nodes = await this.#get('/nodes') as NodeEntry[]
    const byId = nodes.filter((n) => n.ID === node)
    const matches = byId.length > 0 ? byId : nodes.filter((n) => n.Description?.Hostname === node)
    if (matches.length !== 1) {
      throw errors.SG_ERR_NODE_UNKNOWN(matches.length === 0
        ? `no node of the swarm has the ID or hostname "${node}" (docker node ls lists them)`
        : `${matches.length} nodes have the hostname "${node}": name the node by its ID (docker node ls lists them)`)
    }
    const id = String(matches[0]?.ID)
    const hostname = String(matches[0]?.Description?.Hostname)
    const filters = encodeURIComponent(JSON.stringify({ service: [NODE_AGENT_SERVICE], node: [id], 'desired-state': ['running'] }))
    // The engine answers 404 when the service does not exist (a swarm registered before node agents).
    const tasks = await this.#get(`/tasks?filters=${filters}`, true) as TaskEntry[]
    for (const task of tasks) {
      if (task.Status?.State !== 'running') continue
      const attachment = task.NetworksAttachments?.find((a) => a.Network?.Spec?.Name === NODE_AGENT_NETWORK)
      const address = attachment?.Addresses?.[0]
      if (typeof address === 'string') return { nodeId: id, hostname, host: address.replace(/\/\d+$/, '') }
    }
    throw errors.SG_ERR_NODE_AGENT_DOWN(`node ${hostname} (${id}) has no running ${NODE_AGENT_SERVICE} task: registration runs node agents unless given --node-agents off; otherwise docker service ps ${NODE_AGENT_SERVICE} says why`)
  }

  /** The engine's list at `path`; with `missingIsEmpty`, a 404 is an empty list. */
  async #get (path: string, missingIsEmpty = false): Promise<unknown> {
    try {
      const res = await this.#engine.dispatcher.request({ origin: this.#engine.origin, path, method: 'GET', headersTimeout: 10_000, bodyTimeout: 10_000 })
      if (res.statusCode === 404 && missingIsEmpty) { await res.body.dump(); return [] }
      if (res.statusCode !== 200) { await res.body.dump(); throw errors.SG_ERR_NODES_UNKNOWN(`GET ${path} answered ${res.statusCode}`) }
      const value = await res.body.json()
      return Array.isArray(value) ? value : []
    } catch (err) {
      if (err instanceof SwarmgateError) throw err
      throw errors.SG_ERR_NODES_UNKNOWN(describeUpstreamError(err as Error, this.#engine.name).message.replace(/^swarmgate: /, ''), err)
    }
  }
}
