/**
 * One upstream per node agent, over the overlay network: a pooled dispatcher for plain calls and
 * a dedicated half-open connection for each hijacked one, like the engine socket's upstream. An
 * agent restarted at a new address replaces its node's upstream, whose connections are closed.
 */
import net from 'node:net'
import { Pool } from 'undici'
import { NODE_AGENT_PORT, STREAM_POOL_OPTIONS, openSocket, type Upstream } from '@swarmgate/core'
import type { AgentAddress } from './agent-directory.js'

/** The agent of one node as an upstream. */
function agentUpstream (agent: AgentAddress): Upstream {
  const origin = `http://${agent.host.includes(':') ? `[${agent.host}]` : agent.host}:${NODE_AGENT_PORT}`
  const dispatcher = new Pool(origin, STREAM_POOL_OPTIONS)
  return {
    name: `the swarmgate agent of node ${agent.hostname} at ${origin}`,
    origin,
    dispatcher,
    connect: async () => await openSocket(() => net.connect({ host: agent.host, port: NODE_AGENT_PORT, allowHalfOpen: true })),
    close: async () => { await dispatcher.close() }
  }
}

export class AgentUpstreams {
  readonly #byNode = new Map<string, { readonly host: string, readonly upstream: Upstream }>()

  /** The upstream of `agent`, made once per node and address. */
  for (agent: AgentAddress): Upstream {
    const known = this.#byNode.get(agent.nodeId)
    if (known !== undefined && known.host === agent.host) return known.upstream
    // In-flight calls on the old address end on their own: close() lets them finish.
    if (known !== undefined) known.upstream.close().catch(() => {})
    const upstream = agentUpstream(agent)
    this.#byNode.set(agent.nodeId, { host: agent.host, upstream })
    return upstream
  }

  async close (): Promise<void> {
    await Promise.all([...this.#byNode.values()].map(async (u) => { await u.upstream.close() }))
    this.#byNode.clear()
  }
}
