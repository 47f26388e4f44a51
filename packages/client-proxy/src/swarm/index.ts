// The swarm's managers as client-proxy sees them (docs/protocol.md, "Failover"): one upstream
// with health and failover, the watch that notices a manager gone silent, the list that follows
// the swarm's own, and which manager created each exec instance.
export { SwarmUpstream, describe, type EndpointStatus } from './upstream.js'
export { LivenessWatch, type AnswerObserver, type Waiting, type WatchedCall } from './liveness-watch.js'
export { EndpointRefresh } from './endpoint-refresh.js'
export { ExecOwners, CREATE_ANSWER_MAX_BYTES, createdId, createsExec, execOf } from './exec-owners.js'
