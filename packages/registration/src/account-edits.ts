/**
 * Changes to the account store. Every change that must revoke refresh tokens (a new password, a
 * removed account or team) gives the account a new stamp or drops it, as docs/protocol.md
 * describes. A role change keeps the stamp: server-proxy reads the role from the store, not from
 * the token. Local accounts and Docker IDs share one list of names: a name is one account, so a
 * name that would mean both is refused, saying how the two are told apart at login ("NAME" is the
 * local account, "docker:NAME" the Docker ID, which can still log in through a team).
 */
import { DOCKER_ID_PREFIX, hashPassword, LEGACY_USER_ROLE, newStamp, validDockerId, validTeamName, type Account, type AccountStore, type TeamGrant } from '@swarmgate/core'
import { errors } from './errors.js'

/** What stores written before roles call a non-owner becomes: operator is what "user" could do then, short of the host. */
export const MIGRATED_ROLE = 'operator'

/** A store holding one local account. */
export async function storeWith (name: string, password: string, role: string): Promise<AccountStore> {
  return { version: 1, accounts: [await newAccount(name, password, role)], teams: [], hubTokens: {} }
}

/** A store holding one Docker ID account. */
export function storeWithDockerId (name: string, role: string): AccountStore {
  return { version: 1, accounts: [newDockerId(name, role)], teams: [], hubTokens: {} }
}

async function newAccount (name: string, password: string, role: string): Promise<Account> {
  return { name, kind: 'local', hash: await hashPassword(password), role, state: 'active', stamp: newStamp() }
}

function newDockerId (name: string, role: string): Account {
  return { name, kind: 'docker-id', role, state: 'active', stamp: newStamp() }
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

/** Refuses a name the store has already, as an account of either kind. */
export function refuseTaken (store: AccountStore, name: string, adding: Account['kind']): void {
  const existing = store.accounts.find((a) => a.name === name)
  if (existing === undefined) return
  if (existing.kind === adding) {
    throw errors.SG_ERR_REGISTRATION_ACCOUNT(existing.kind === 'local'
      ? `the account "${name}" exists already; use users passwd to change its password`
      : `the Docker ID "${name}" is an account of this swarm already; use users set-role to change its role`)
  }
  if (existing.kind === 'local') {
    throw errors.SG_ERR_REGISTRATION_ACCOUNT(`"${name}" is a local account of this swarm, and a name is one account: at login "${name}" means the local account. The Docker ID ${name} can still log in as "${DOCKER_ID_PREFIX}${name}" when a team of this swarm has it (teams add ORG/TEAM); to make the Docker ID the account instead, remove the local one first (users rm ${name})`)
  }
  throw errors.SG_ERR_REGISTRATION_ACCOUNT(`"${name}" is a Docker ID account of this swarm, and a name is one account: choose another name for the local account (or remove the Docker ID first: users rm ${name})`)
}

/** The store with a new local account. */
export async function addAccount (store: AccountStore, name: string, password: string, role: string): Promise<AccountStore> {
  refuseTaken(store, name, 'local')
  return { ...store, accounts: [...store.accounts, await newAccount(name, password, role)] }
}

/** The store with the Docker ID `name` as an account (no password: Docker Hub checks it at login). */
export function addDockerId (store: AccountStore, name: string, role: string): AccountStore {
  refuseTaken(store, name, 'docker-id')
  return { ...store, accounts: [...store.accounts, newDockerId(name, role)] }
}

/** The local account `name`; throws when there is none, or when `name` is a Docker ID (Docker Hub holds its password). */
export function localAccount (store: AccountStore, name: string): Account {
  const account = find(store, name)
  if (account.kind === 'docker-id') {
    throw errors.SG_ERR_REGISTRATION_ACCOUNT(`"${name}" is a Docker ID: Docker Hub holds its password, so change it there; to end its logins on this swarm, users rm ${name}`)
  }
  return account
}

/** The store with a new password and a new stamp for the local account `name`. */
export async function changePassword (store: AccountStore, name: string, password: string): Promise<AccountStore> {
  localAccount(store, name)
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

/** `ORG/TEAM` taken apart; throws SG_ERR_REGISTRATION_TEAM unless both parts are valid Docker Hub names. */
export function parseTeam (text: string): { org: string, team: string } {
  const [org = '', team = '', ...rest] = text.split('/')
  if (rest.length > 0 || !validDockerId(org.toLowerCase()) || !validTeamName(team)) {
    throw errors.SG_ERR_REGISTRATION_TEAM(`"${text}" must be ORG/TEAM: a Docker Hub organization (4 to 30 letters and digits) and one of its teams (letters, digits, - and _)`)
  }
  return { org: org.toLowerCase(), team }
}

function teamIndex (store: AccountStore, org: string, team: string): number {
  return store.teams.findIndex((g) => g.org === org && g.team === team)
}

/** The store with every member of `org/team` given `role`; the organization needs an access token first. */
export function addTeam (store: AccountStore, org: string, team: string, role: string): AccountStore {
  if (teamIndex(store, org, team) >= 0) {
    const current = store.teams[teamIndex(store, org, team)] as TeamGrant
    throw errors.SG_ERR_REGISTRATION_TEAM(`the team ${org}/${team} has the role ${current.role} already; for another role, teams rm ${org}/${team} and teams add it again`)
  }
  if (store.hubTokens[org] === undefined) throw noToken(org)
  return { ...store, teams: [...store.teams, { org, team, role, stamp: newStamp() }] }
}

/** The error for a team of an organization with no access token kept. */
export function noToken (org: string): Error {
  return errors.SG_ERR_REGISTRATION_TEAM(`this swarm has no access token of the organization ${org}, which reading its teams needs: give one first with hub-token ${org} --password-stdin (an organization access token, dckr_oat_..., with read access to members and teams)`)
}

/** The store without `org/team`: its members' refresh tokens carry its stamp, and stop working. */
export function removeTeam (store: AccountStore, org: string, team: string): AccountStore {
  if (teamIndex(store, org, team) < 0) throw errors.SG_ERR_REGISTRATION_TEAM(`the team ${org}/${team} is not mapped on this swarm (teams ls lists the teams)`)
  return { ...store, teams: store.teams.filter((g) => g.org !== org || g.team !== team) }
}

/** The store keeping `token` as the organization access token of `org`. */
export function setHubToken (store: AccountStore, org: string, token: string): AccountStore {
  return { ...store, hubTokens: { ...store.hubTokens, [org]: token } }
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
