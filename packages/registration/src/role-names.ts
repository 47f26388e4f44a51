/**
 * Which roles an account may be given: a built-in one, or a custom role the swarm's current policy
 * document defines. The legacy `user` role is read (and migrated) but never given.
 */
import { BUILTIN_ROLES, LEGACY_USER_ROLE, type PolicyDocument } from '@swarmgate/core'
import { errors } from './errors.js'

/** Whether `role` is owner, operator or viewer, which need no policy document. */
export function isBuiltinRole (role: string): boolean {
  return (BUILTIN_ROLES as readonly string[]).includes(role)
}

/** Throws SG_ERR_REGISTRATION_ROLE unless `role` is built in or defined by `policy` (undefined: the swarm has none). */
export function checkRole (role: string, policy: PolicyDocument | undefined): void {
  if (isBuiltinRole(role)) return
  const builtin = BUILTIN_ROLES.join(', ')
  if (role === LEGACY_USER_ROLE) {
    throw errors.SG_ERR_REGISTRATION_ROLE(`"${LEGACY_USER_ROLE}" is the role of accounts made before roles existed; give ${builtin} or a role of the policy document instead (operator is what "${LEGACY_USER_ROLE}" became)`)
  }
  if (policy === undefined) {
    throw errors.SG_ERR_REGISTRATION_ROLE(`"${role}" is not a built-in role (${builtin}) and this swarm has no policy document to define it; define it with policy set FILE first`)
  }
  if (!policy.roles.has(role)) {
    const custom = [...policy.roles.keys()].filter((r) => !isBuiltinRole(r))
    throw errors.SG_ERR_REGISTRATION_ROLE(`"${role}" is neither a built-in role (${builtin}) nor defined in the current policy document (${custom.length === 0 ? 'which defines no custom role' : `which defines ${custom.join(', ')}`}); add it with policy set FILE first`)
  }
}
