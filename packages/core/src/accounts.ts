/**
 * The account store: a JSON document that registration writes into a swarm secret and
 * server-proxy reads at start. It holds the swarm's identities of two kinds (docs/protocol.md,
 * "Identity sources"): local accounts, whose passwords are kept as scrypt hashes, and Docker IDs,
 * checked with Docker Hub at login (no password kept). Docker Hub teams can be given a role too;
 * reading a team's members needs an organization access token, kept here per organization.
 * Each account and team has a `stamp` that is written into its refresh tokens; changing the
 * password or removing the account or team changes or drops the stamp, which revokes every
 * refresh token issued before.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { SwarmgateError } from './errors.js'

/** `local`: a password kept here; `docker-id`: a Docker ID, checked with Docker Hub at login. */
export type AccountKind = 'local' | 'docker-id'

export interface Account {
  /** A local account's name, or a Docker ID (Docker Hub's username, lower case). */
  readonly name: string
  readonly kind: AccountKind
  /** `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`; local accounts only. */
  readonly hash?: string
  /** `owner`, `operator`, `viewer` or a custom role of the policy document (docs/authorization.md). */
  readonly role: string
  readonly state: 'active' | 'disabled'
  readonly stamp: string
}

/** Every member of a Docker Hub team gets `role`. */
export interface TeamGrant {
  readonly org: string
  readonly team: string
  readonly role: string
  readonly stamp: string
}

export interface AccountStore {
  readonly version: 1
  readonly accounts: readonly Account[]
  /** Checked in this order at login: the first team that has the person gives the role. */
  readonly teams: readonly TeamGrant[]
  /** Organization name → organization access token (`dckr_oat_...`), to read its teams. */
  readonly hubTokens: Readonly<Record<string, string>>
}

/**
 * How a Docker ID is named wherever a local account could be meant: in token subjects, audit
 * lines and at login ("docker:NAME" logs in as the Docker ID even when a local account has that
 * name). A colon is never part of an account name, so the two cannot be confused.
 */
export const DOCKER_ID_PREFIX = 'docker:'

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/
const ROLE = /^[a-z][a-z0-9-]{0,31}$/
/** Docker Hub: usernames and organization names are 4 to 30 lower case letters and digits. */
const DOCKER_ID = /^[a-z0-9]{4,30}$/
/** Docker Hub team names: letters, digits, dash and underscore. */
const TEAM = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/
/** The role stores written before roles existed gave every non-owner: read as `operator`. */
export const LEGACY_USER_ROLE = 'user'
const SCRYPT = { N: 16384, r: 8, p: 1 } as const
export const MIN_PASSWORD_LENGTH = 10

async function scrypt (password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    scryptCb(password, salt, 32, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => { if (err === null) resolve(key); else reject(err) })
  })
}

/** Checks a role name: a lower case letter, then lower case letters, digits and dashes (32 at most). */
export function validRoleName (role: string): boolean {
  return ROLE.test(role)
}

/** Checks an account name: lower case letters, digits, dot, dash and underscore. */
export function validAccountName (name: string): boolean {
  return NAME.test(name)
}

/** Checks a Docker ID or a Docker Hub organization name. */
export function validDockerId (name: string): boolean {
  return DOCKER_ID.test(name)
}

/** Checks a Docker Hub team name. */
export function validTeamName (team: string): boolean {
  return TEAM.test(team)
}

/** The kinds of identity a store accepts at login: Docker IDs when it names one or a team. */
export function identityKinds (store: AccountStore): AccountKind[] {
  const kinds: AccountKind[] = []
  if (store.accounts.some((a) => a.kind === 'local')) kinds.push('local')
  if (store.accounts.some((a) => a.kind === 'docker-id') || store.teams.length > 0) kinds.push('docker-id')
  return kinds
}

/** Hashes a password for the store. */
export async function hashPassword (password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, SCRYPT)
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`
}

/** Compares a password with a stored hash in constant time. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64url')
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

/** A new random stamp for an account. */
export function newStamp (): string {
  return randomBytes(12).toString('base64url')
}

/** Parses and checks an account store document; throws SG_ERR_ACCOUNTS_INVALID naming what is wrong. */
export function parseAccountStore (text: string): AccountStore {
  const fail = (why: string): never => { throw new SwarmgateError('SG_ERR_ACCOUNTS_INVALID', `the account store is not valid: ${why}`) }
  let doc: unknown
  try { doc = JSON.parse(text) } catch (err) { return fail(`not JSON (${(err as Error).message})`) }
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== 1) return fail('expected {"version": 1, "accounts": [...]}')
  const { accounts, teams = [], hubTokens = {} } = doc as { accounts?: unknown, teams?: unknown, hubTokens?: unknown }
  if (!Array.isArray(accounts)) return fail('"accounts" must be a list')
  if (!Array.isArray(teams)) return fail('"teams" must be a list')
  if (typeof hubTokens !== 'object' || hubTokens === null || Array.isArray(hubTokens)) return fail('"hubTokens" must be an object')
  const seen = new Set<string>()
  const outAccounts = accounts.map((a: Partial<Account>, i) => {
    // Stores written before Docker IDs have local accounts only, without a kind.
    const kind = a.kind ?? 'local'
    if (kind !== 'local' && kind !== 'docker-id') return fail(`account ${i} has no valid kind`)
    if (typeof a.name !== 'string' || !(kind === 'local' ? validAccountName(a.name) : validDockerId(a.name))) return fail(`account ${i} has no valid name`)
    // One list of names for both kinds: a name at login means one account (docs/protocol.md).
    if (seen.has(a.name)) return fail(`account ${a.name} appears twice`)
    seen.add(a.name)
    if (kind === 'local' && (typeof a.hash !== 'string' || !a.hash.startsWith('scrypt$'))) return fail(`account ${a.name} has no scrypt hash`)
    if (kind === 'docker-id' && a.hash !== undefined) return fail(`the Docker ID ${a.name} has a password hash; Docker Hub checks its password`)
    if (typeof a.role !== 'string' || !validRoleName(a.role)) return fail(`account ${a.name} has no valid role`)
    if (a.state !== 'active' && a.state !== 'disabled') return fail(`account ${a.name} has no valid state`)
    if (typeof a.stamp !== 'string' || a.stamp === '') return fail(`account ${a.name} has no stamp`)
    const base = { name: a.name, kind, role: a.role, state: a.state, stamp: a.stamp }
    return Object.freeze(kind === 'local' ? { ...base, hash: a.hash } : base)
  })
  const teamKeys = new Set<string>()
  const outTeams = teams.map((g: Partial<TeamGrant>, i) => {
    if (typeof g.org !== 'string' || !validDockerId(g.org)) return fail(`team ${i} has no valid organization`)
    if (typeof g.team !== 'string' || !validTeamName(g.team)) return fail(`team ${i} has no valid team name`)
    const key = `${g.org}/${g.team}`
    if (teamKeys.has(key)) return fail(`team ${key} appears twice`)
    teamKeys.add(key)
    if (typeof g.role !== 'string' || !validRoleName(g.role)) return fail(`team ${key} has no valid role`)
    if (typeof g.stamp !== 'string' || g.stamp === '') return fail(`team ${key} has no stamp`)
    return Object.freeze({ org: g.org, team: g.team, role: g.role, stamp: g.stamp })
  })
  const outTokens: Record<string, string> = {}
  for (const [org, token] of Object.entries(hubTokens as Record<string, unknown>)) {
    if (!validDockerId(org) || typeof token !== 'string' || token === '') return fail(`the organization token of ${org} is not valid`)
    outTokens[org] = token
  }
  return Object.freeze({ version: 1, accounts: Object.freeze(outAccounts), teams: Object.freeze(outTeams), hubTokens: Object.freeze(outTokens) })
}

/** Serialises an account store for a secret. */
export function serializeAccountStore (store: AccountStore): string {
  return JSON.stringify(store, null, 2) + '\n'
}
