/**
 * A node agent's authentication (docs/protocol.md, "Every node"): it accepts only a manager's node
 * assertion (nodes/node-assertion.ts) that verifies with the swarm's public keys, names this node,
 * and names the call's very method and path. The user's bearer token means nothing here: the
 * agent holds no account store and trusts the manager that checked the token and the account.
 */
import type { IncomingMessage } from 'node:http'
import { NODE_ASSERTION_HEADER } from '@swarmgate/core'
import type { Principal } from '../identity/directory.js'
import type { VerifyingKeys } from '../signing-keys.js'
import { verifyClaims, type TokenSettings } from '../tokens.js'
import { NODE_ASSERTION_TYPE } from '../nodes/node-assertion.js'
import { errors } from '../errors.js'

const HEADER = NODE_ASSERTION_HEADER.toLowerCase()

export interface AssertionCheckOptions {
  readonly keys: VerifyingKeys
  readonly settings: Pick<TokenSettings, 'issuer' | 'audience' | 'clockSkew'>
  /** This agent's node ID. */
  readonly node: string
}

/** The principal a call's assertion speaks for; throws the 401 refusal naming what failed. */
export async function checkNodeAssertion (opts: AssertionCheckOptions, req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>): Promise<Principal> {
  const assertion = req.headers[HEADER]
  if (typeof assertion !== 'string' || assertion === '') throw errors.SG_ERR_AUTH_NO_ASSERTION()
  const claims = await verifyClaims(opts.keys, opts.settings, NODE_ASSERTION_TYPE, assertion)
  if (claims.node !== opts.node) throw errors.SG_ERR_AUTH_ASSERTION_MISMATCH('it names another node')
  if (claims.htm !== req.method || claims.htu !== req.url) throw errors.SG_ERR_AUTH_ASSERTION_MISMATCH('it names another method or path')
  if (typeof claims.sub !== 'string' || typeof claims.role !== 'string') throw errors.SG_ERR_AUTH_CLAIMS('the assertion names no principal and role')
  return { name: claims.sub, role: claims.role }
}
