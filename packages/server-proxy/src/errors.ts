/**
 * Every failure server-proxy reports, with its stable code. Token refusals are 401 and name the
 * check that failed; they never contain the token.
 */
import { defineErrors } from '@swarmgate/core'

export const errors = defineErrors({
  SG_ERR_AUTH_MISSING: { message: 'swarmgate: authentication required: no Authorization: Bearer token (run the swarmgate client to log in)', statusCode: 401 },
  SG_ERR_AUTH_MALFORMED: { message: 'swarmgate: the token is malformed', statusCode: 401 },
  SG_ERR_AUTH_EXPIRED: { message: 'swarmgate: the token has expired', statusCode: 401 },
  SG_ERR_AUTH_NOT_YET_VALID: { message: 'swarmgate: the token is not valid yet (check the clocks)', statusCode: 401 },
  SG_ERR_AUTH_BAD_SIGNATURE: { message: 'swarmgate: the token signature does not verify', statusCode: 401 },
  SG_ERR_AUTH_UNKNOWN_KEY: { message: 'swarmgate: the token was signed by a key this swarm does not know', statusCode: 401 },
  SG_ERR_AUTH_ALGORITHM: { message: 'swarmgate: the token uses an algorithm that is not allowed', statusCode: 401 },
  SG_ERR_AUTH_OTHER_SWARM: { message: 'swarmgate: the token is for another swarm', statusCode: 401 },
  SG_ERR_AUTH_CLAIMS: { message: 'swarmgate: the token claims are not acceptable', statusCode: 401 },
  SG_ERR_AUTH_ACCOUNT_GONE: { message: 'swarmgate: the account of this token no longer exists or is disabled; log in again', statusCode: 401 },
  // A node agent's refusals (docs/protocol.md, "Every node"): it serves only a manager's assertion of one call.
  SG_ERR_AUTH_NO_ASSERTION: { message: 'swarmgate: a node agent serves only calls a manager\'s server-proxy sends it with a node assertion', statusCode: 401 },
  SG_ERR_AUTH_ASSERTION_MISMATCH: { message: 'swarmgate: the node assertion is for another call', statusCode: 401 },
  SG_ERR_FACTS_UNAVAILABLE: { message: 'swarmgate: the call could not be checked: the Docker engine did not answer the gateway\'s question', statusCode: 503 },
  // The two answers of a call the engine did not answer; client-proxy acts on their codes (core GATEWAY_CODES).
  SG_ERR_ENGINE_UNREACHABLE: { message: 'swarmgate: this manager\'s Docker engine cannot be reached, the call was not carried out', statusCode: 503 },
  SG_ERR_ENGINE_FAILED: { message: 'swarmgate: this manager\'s Docker engine went away during the call, which may or may not have been carried out', statusCode: 502 },
  SG_ERR_ENDPOINTS_UNKNOWN: { message: 'swarmgate: the swarm cannot tell where its managers are right now', statusCode: 503 },
  // Calls addressed to one node (docs/protocol.md, "Every node"): codes of their own, so client-proxy never takes a node's trouble for its manager's.
  SG_ERR_NODE_ADDRESS: { message: 'swarmgate: a call for one node must be addressed /_swarmgate/v1/nodes/<node ID or hostname>/<Docker API path>', statusCode: 400 },
  SG_ERR_NODE_UNKNOWN: { message: 'swarmgate: no such node', statusCode: 404 },
  SG_ERR_NODES_UNKNOWN: { message: 'swarmgate: the swarm cannot tell where its nodes\' agents are right now', statusCode: 503 },
  SG_ERR_NODE_AGENT_DOWN: { message: 'swarmgate: the node\'s agent is not running', statusCode: 503 },
  SG_ERR_NODE_UNREACHABLE: { message: 'swarmgate: the node cannot be reached', statusCode: 502 },
  SG_ERR_DECISION_FAILED: { message: 'swarmgate: the call could not be checked', statusCode: 500 },
  SG_ERR_CLIENT_GONE: { message: 'swarmgate: the client closed the connection before the call was read' },
  SG_ERR_KEYS_INVALID: { message: 'the token signing key set is not usable' },
  SG_ERR_FILE_UNREADABLE: { message: 'cannot read a file server-proxy needs' },
  SG_ERR_TOKEN_TTL: { message: 'the access token lifetime must be between 10 seconds and 15 minutes' },
  SG_ERR_NODE_AGENT_CONFIG: { message: 'a node agent needs --node-id (registration sets it to the task\'s node)' },
  SG_ERR_METRICS_ADDRESS: { message: '--metrics-address must be HOST:PORT (IPv6 as [::1]:9323)' }
})
