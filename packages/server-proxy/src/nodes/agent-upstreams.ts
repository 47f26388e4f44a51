/**
 * One upstream per node agent, over the overlay network in TLS: a pooled dispatcher for plain calls
 * and a dedicated half-open connection for each hijacked one, like the engine socket's upstream.
 * Every connection trusts only the agents' own CA (never the CA clients pin) and checks the name
 * the agents' certificate carries, not the address: overlay addresses change with every task. An
 * agent restarted at a new address replaces its node's upstream, whose connections are closed.
 */
import tls from 'node:tls'
import { Pool } from 'undici'
import { NODE_AGENT_PORT, NODE_AGENT_SERVER_NAME, STREAM_POOL_OPTIONS, openSocket, type Upstream } from '@swarmgate/core'
import type { AgentAddress } from './agent-directory.js'

/** What a connection to an agent trusts: the agents' CA, for the agents' name. */
function agentTls (ca: string): tls.ConnectionOptions {
  return { ca, servername: NODE_AGENT_SERVER_NAME, minVersion: 'TLSv1.3', ALPNProtocols: ['http/1.1'] }
}

/** The agent of one node as an upstream. */
function agentUpstream (agent: AgentAddress, ca: string): Upstream {
  const origin = `https://${agent.host.includes(':') ? `[${agent.host}]` : agent.host}:${NODE_AGENT_PORT}`
  const dispatcher = new Pool(origin, { ...STREAM_POOL_OPTIONS, connect: agentTls(ca) })
  // allowHalfOpen is honoured by tls.connect but missing from @types/node's ConnectionOptions.
  const hijack: tls.ConnectionOptions & { allowHalfOpen: boolean } = { ...agentTls(ca), host: agent.host, port: NODE_AGENT_PORT, allowHalfOpen: true }
  return {
    name: `the swarmgate agent of node ${agent.hostname} at ${origin}`,
    origin,
    dispatcher,
    connect: async () => await openSocket(() => tls.connect(hijack), 'secureConnect'),
    close: async () => { await dispatcher.close() }
  }
}

export class AgentUpstreams {
  readonly #byNode = new Map<string, { readonly host: string, readonly upstream: Upstream }>()
  readonly #ca: string

  /** `ca`: the agents' CA certificate (PEM). */
  constructor (ca: string) {
    this.#ca = ca
  }

  /** The upstream of `agent`, made once per node and address. */
  for (agent: AgentAddress): Upstream {
    const known = this.#byNode.get(agent.nodeId)
    if (known !== undefined && known.host === agent.host) return known.upstream
    // In-flight calls on the old address end on their own: close() lets them finish.
    if (known !== undefined) known.upstream.close().catch(() => {})
    const upstream = agentUpstream(agent, this.#ca)
    this.#byNode.set(agent.nodeId, { host: agent.host, upstream })
    return upstream
  }

  async close (): Promise<void> {
    await Promise.all([...this.#byNode.values()].map(async (u) => { await u.upstream.close() }))
    this.#byNode.clear()
  }
}
