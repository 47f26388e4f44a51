/**
 * The node assertion (docs/protocol.md, "Every node"): what a manager's server-proxy sends a node
 * agent instead of the user's token, once it has checked that token and looked the account up. It
 * is a JWT of its own type signed with the token signing keys, so agents verify it with the public
 * half they already hold and can make none; no token check accepts it, nor does an agent accept a
 * token. It names the principal and role, the node (by ID), the method and the path of one call,
 * and lives seconds: copied off the wire, it opens nothing else and soon nothing at all.
 */
import type { Principal } from '../identity/directory.js'
import type { SigningKeySet } from '../signing-keys.js'
import { signToken, type TokenSettings } from '../tokens.js'

/** The `typ` of an assertion: never an access or refresh token's. */
export const NODE_ASSERTION_TYPE = 'swarmgate-node-call+jwt'

/** Seconds an assertion is good for: one hop across the overlay, with room for a loaded node. */
export const NODE_ASSERTION_TTL = 10

/** The one call an assertion speaks for. */
export interface NodeCallClaims {
  readonly principal: Principal
  /** The node's ID, as its agent knows itself. */
  readonly node: string
  readonly method: string
  /** The Docker API path and query exactly as sent to the agent. */
  readonly path: string
}

/** Signs the assertion of one call to a node agent. */
export async function signNodeAssertion (keys: SigningKeySet, settings: TokenSettings, claims: NodeCallClaims): Promise<string> {
  return await signToken(keys, settings, NODE_ASSERTION_TYPE, claims.principal.name, NODE_ASSERTION_TTL, {
    role: claims.principal.role,
    node: claims.node,
    htm: claims.method,
    htu: claims.path
  })
}
