/**
 * The accounts secret as a store: read back through the secret reader, written as the next
 * version. Versions written since roles carry LABELS.roles, so registration knows which stores may
 * still hold the legacy role "user" without reading every one.
 */
import { parseAccountStore, serializeAccountStore, type AccountStore } from '@swarmgate/core'
import type { Context } from './context.js'
import { LABELS, NAMED_ROLES } from './names.js'
import type { RegistrationState } from './registration-state.js'
import { readSecrets } from './secret-reader.js'
import { createVersion, type IdentitySecret } from './secrets.js'

/** Whether `secret` was written before roles and may hold "user" accounts. */
export function mayHoldLegacyRoles (secret: IdentitySecret): boolean {
  return secret.labels[LABELS.roles] !== NAMED_ROLES
}

/** The store `secret` holds, read by a reader task running `image` on this node. */
export async function readAccountStore (ctx: Context, state: RegistrationState, secret: IdentitySecret, image: string): Promise<AccountStore> {
  const read = await readSecrets(ctx.engine, [secret], {
    image,
    nodeId: ctx.manager.info.Swarm.NodeID,
    labels: { ...ctx.labels, [LABELS.swarm]: state.swarmName ?? '' },
    timeoutMs: ctx.config.timeout * 1000
  })
  return parseAccountStore(read.get(secret.name) ?? '')
}

/** Writes `store` as the next accounts version of `swarmName`. */
export async function createAccountsVersion (ctx: Context, state: RegistrationState, store: AccountStore, swarmName: string): Promise<IdentitySecret> {
  return await createVersion(ctx.engine, state.secrets, 'accounts', serializeAccountStore(store), { ...ctx.labels, [LABELS.swarm]: swarmName, [LABELS.roles]: NAMED_ROLES })
}
