// The swarm's managers as client-proxy sees them (docs/protocol.md, "Failover"): one upstream
// with health and failover, the watch that notices a manager gone silent, and the list that
// follows the swarm's own.
export { SwarmUpstream, describe, type EndpointStatus } from './upstream.js'
export { LivenessWatch, type AnswerObserver, type Waiting, type WatchedCall } from './liveness-watch.js'
export { EndpointRefresh } from './endpoint-refresh.js'
