/**
 * Changes to the account store. Every change that must revoke refresh tokens (a new password, a
 * removed account) gives the account a new stamp or drops it, as docs/protocol.md describes. A
 * role change keeps the stamp: server-proxy reads the role from the store, not from the token.
 */
import { hashPassword, LEGACY_USER_ROLE, newStamp, type Account, type AccountStore } from '@swarmgate/core'
import { errors } from './errors.js'

/** What stores written before roles call a non-owner becomes: operator is what "user" could do then, short of the host. */
export const MIGRATED_ROLE = 'operator'

/** A store holding one account. */
export async function storeWith (name: string, password: string, role: string): Promise<AccountStore> {
  return { version: 1, accounts: [await newAccount(name, password, role)], teams: [], hubTokens: {} }
}

async function newAccount (name: string, password: string, role: string): Promise<Account> {
  return { name, kind: 'local', hash: await hashPassword(password), role, state: 'active', stamp: newStamp() }
}

function find (store: AccountStore, name: string): Account {
  const account = store.accounts.find((a) => a.name === name)
  if (account === undefined) throw errors.SG_ERR_REGISTRATION_ACCOUNT(`there is no account "${name}" (users ls lists them)`)
  return account
}

/** Refuses a change that would leave the swarm without an active owner. */
function keepAnOwner (store: AccountStore, account: Account, what: string): void {
  const owners = store.accounts.filter((a) => a.role === 'owner' && a.state === 'active')
  if (account.role === 'owner' && owners.length === 1) {
    throw errors.SG_ERR_REGISTRATION_ACCOUNT(`"${account.name}" is the last owner of this swarm and cannot ${what}; add another owner first (users add NAME --role owner)`)
  }
}

/** The store with a new account. */
export async function addAccount (store: AccountStore, name: string, password: string, role: string): Promise<AccountStore> {
  if (store.accounts.some((a) => a.name === name)) throw errors.SG_ERR_REGISTRATION_ACCOUNT(`the account "${name}" exists already; use users passwd to change its password`)
  return { ...store, accounts: [...store.accounts, await newAccount(name, password, role)] }
}

/** The store with a new password and a new stamp for `name`. */
export async function changePassword (store: AccountStore, name: string, password: string): Promise<AccountStore> {
  find(store, name)
  const hash = await hashPassword(password)
  return { ...store, accounts: store.accounts.map((a) => a.name === name ? { ...a, hash, stamp: newStamp() } : a) }
}

/** The store with `role` for `name`; the last active owner keeps the owner role. */
export function setRole (store: AccountStore, name: string, role: string): AccountStore {
  const account = find(store, name)
  if (role !== 'owner') keepAnOwner(store, account, `lose the owner role`)
  return { ...store, accounts: store.accounts.map((a) => a.name === name ? { ...a, role } : a) }
}

/** The store without `name`; the last active owner cannot be removed. */
export function removeAccount (store: AccountStore, name: string): AccountStore {
  keepAnOwner(store, find(store, name), 'be removed')
  return { ...store, accounts: store.accounts.filter((a) => a.name !== name) }
}

/** The store with every legacy `user` account made an operator, and the names of those it changed. */
export function migrateLegacyRoles (store: AccountStore): { store: AccountStore, migrated: string[] } {
  const migrated = store.accounts.filter((a) => a.role === LEGACY_USER_ROLE).map((a) => a.name)
  if (migrated.length === 0) return { store, migrated }
  return { store: { ...store, accounts: store.accounts.map((a) => a.role === LEGACY_USER_ROLE ? { ...a, role: MIGRATED_ROLE } : a) }, migrated }
}

/** The sentence that tells what migrateLegacyRoles did, or undefined when it did nothing. */
export function migrationReport (migrated: readonly string[]): string | undefined {
  if (migrated.length === 0) return undefined
  const accounts = migrated.length === 1 ? 'account' : 'accounts'
  return `Migrated ${migrated.length} ${accounts} from the old role "${LEGACY_USER_ROLE}" to "${MIGRATED_ROLE}": ${migrated.join(', ')}`
}
