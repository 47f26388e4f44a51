/**
 * The swarmgate protocol between client-proxy and server-proxy (docs/protocol.md). Everything of
 * swarmgate's own lives under one prefix that no Docker API path can start with: Docker paths are
 * /_ping, /v1.NN/..., /containers/..., /session and the like.
 */
export const RESERVED_PREFIX = '/_swarmgate/'

export const PATHS = {
  token: `${RESERVED_PREFIX}v1/token`,
  jwks: `${RESERVED_PREFIX}v1/jwks.json`,
  health: `${RESERVED_PREFIX}v1/health`,
  /** Which identities the swarm accepts at login (local accounts, Docker IDs): asked before prompting. */
  identity: `${RESERVED_PREFIX}v1/identity`,
  /** Where the swarm's managers are reached now (authenticated): client-proxy keeps its list current. */
  endpoints: `${RESERVED_PREFIX}v1/endpoints`,
  /** A Docker API call for one node of the swarm: `<nodes><node ID or hostname>/<Docker API path>` (docs/protocol.md, "Every node"). */
  nodes: `${RESERVED_PREFIX}v1/nodes/`
} as const

/**
 * The header server-proxy puts on an answer it gave itself instead of forwarding the engine's,
 * carrying the error's stable code: client-proxy tells a manager that could not take a call from
 * the engine's own errors by it, never by the message text (docs/protocol.md, "Failover").
 */
export const ERROR_HEADER = 'X-Swarmgate-Error'

/**
 * The header a stopping server-proxy puts on every answer it gives during its drain, with
 * `Connection: close` (docs/protocol.md, "Draining"): the call was carried out as usual, and the
 * client should send its next calls to another manager.
 */
export const DRAINING_HEADER = 'X-Swarmgate-Draining'

/** The codes of ERROR_HEADER that client-proxy acts on. */
export const GATEWAY_CODES = {
  /** The engine could not be reached at all: the call was not carried out; another manager may take it. */
  engineUnreachable: 'SG_ERR_ENGINE_UNREACHABLE',
  /** The engine's connection broke after the call was sent: it may or may not have been carried out. */
  engineFailed: 'SG_ERR_ENGINE_FAILED',
  /** The call could not be checked because the engine did not answer the gateway's question: not carried out. */
  factsUnavailable: 'SG_ERR_FACTS_UNAVAILABLE'
} as const

/**
 * A method that only reads (GET, HEAD): a call of one whose connection was lost before any answer
 * changed nothing, so a proxy may send it again (to the same engine or another manager).
 */
export function onlyReads (method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}

/** The answer of PATHS.endpoints. */
export interface EndpointList {
  readonly swarm: string
  /** `host:port` of each manager's server-proxy, IPv6 hosts in brackets. */
  readonly endpoints: readonly string[]
}

/** The answer of PATHS.identity. */
export interface IdentityAnswer {
  readonly swarm: string
  /** `local` and/or `docker-id` (core AccountKind). */
  readonly kinds: ReadonlyArray<'local' | 'docker-id'>
}

/** Claims of an access token, as server-proxy signs and verifies them. */
export interface AccessClaims {
  readonly iss: string
  /** The account name; a Docker ID as `docker:NAME` (core DOCKER_ID_PREFIX). */
  readonly sub: string
  /** The swarm's name, such as alice/prod. */
  readonly aud: string
  readonly iat: number
  readonly nbf: number
  readonly exp: number
  readonly jti: string
}
