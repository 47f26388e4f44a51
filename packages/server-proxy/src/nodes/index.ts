// Calls addressed to one node of the swarm, carried to that node's agent (docs/protocol.md, "Every node").
export { NodeCalls, type NodeCallsOptions } from './node-calls.js'
export { readNodeCall, type NodeCall } from './node-path.js'
export { signNodeAssertion, NODE_ASSERTION_TYPE, NODE_ASSERTION_TTL, type NodeCallClaims } from './node-assertion.js'
