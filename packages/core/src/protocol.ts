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
  identity: `${RESERVED_PREFIX}v1/identity`
} as const

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
