/**
 * The node agent (docs/protocol.md, "Every node"): the contract between registration, which runs
 * it on every node of the swarm, and server-proxy, which sends it the calls addressed to its node.
 */

/** The global service that runs one agent on every node, workers included. */
export const NODE_AGENT_SERVICE = 'swarmgate-node-agent'

/**
 * The port an agent listens on inside its task, reached over the swarm's overlay network only:
 * the service publishes no port, so nothing outside the overlay (and the node itself) can reach it.
 */
export const NODE_AGENT_PORT = 2378

/**
 * The overlay network server-proxy reaches the agents on: registration's own network, which is
 * not attachable (only services can join it) and which operators may not name in a service
 * (authorization rule swarmgate-object).
 */
export const NODE_AGENT_NETWORK = 'swarmgate-server-proxy-network'

/**
 * The name in the agents' TLS certificate, which server-proxy checks (servername): overlay
 * addresses change with every task, so the certificate names the service, never an address.
 */
export const NODE_AGENT_SERVER_NAME = NODE_AGENT_SERVICE

/**
 * The header a manager's server-proxy sends a node agent instead of the user's Authorization: a
 * short-lived signed assertion of who the caller is, bound to one node, method and path.
 */
export const NODE_ASSERTION_HEADER = 'X-Swarmgate-Node-Assertion'
