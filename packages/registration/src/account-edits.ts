/**
 * Changes to the account store. Every change that must revoke refresh tokens (a new password, a
 * removed account) gives the account a new stamp or drops it, as docs/protocol.md describes.
 */
import { hashPassword, newStamp, type Account, type AccountStore } from '@swarmgate/core'
import { errors } from './errors.js'

/** A store holding one account. */
export async function storeWith (name: string, password: string, role: Account['role']): Promise<AccountStore> {
  return { version: 1, accounts: [await newAccount(name, password, role)] }
}

async function newAccount (name: string, password: string, role: Account['role']): Promise<Account> {
  return { name, hash: await hashPassword(password), role, state: 'active', stamp: newStamp() }
}

function find (store: AccountStore, name: string): Account {
  const account = store.accounts.find((a) => a.name === name)
  if (account === undefined) throw errors.SG_ERR_REGISTRATION_ACCOUNT(`there is no account "${name}" (users ls lists them)`)
  return account
}

/** The store with a new account. */
export async function addAccount (store: AccountStore, name: string, password: string, role: Account['role']): Promise<AccountStore> {
  if (store.accounts.some((a) => a.name === name)) throw errors.SG_ERR_REGISTRATION_ACCOUNT(`the account "${name}" exists already; use users passwd to change its password`)
  return { version: 1, accounts: [...store.accounts, await newAccount(name, password, role)] }
}

/** The store with a new password and a new stamp for `name`. */
export async function changePassword (store: AccountStore, name: string, password: string): Promise<AccountStore> {
  find(store, name)
  const hash = await hashPassword(password)
  return { version: 1, accounts: store.accounts.map((a) => a.name === name ? { ...a, hash, stamp: newStamp() } : a) }
}

/** The store without `name`; the last active owner cannot be removed. */
export function removeAccount (store: AccountStore, name: string): AccountStore {
  const account = find(store, name)
  const owners = store.accounts.filter((a) => a.role === 'owner' && a.state === 'active')
  if (account.role === 'owner' && owners.length === 1) {
    throw errors.SG_ERR_REGISTRATION_ACCOUNT(`"${name}" is the last owner of this swarm; add another owner first (users add NAME --role owner)`)
  }
  return { version: 1, accounts: store.accounts.filter((a) => a.name !== name) }
}
