/**
 * The account store: a JSON document that registration writes into a swarm secret and
 * server-proxy reads at start. Passwords are kept as scrypt hashes. Each account has a `stamp`
 * that is written into its refresh tokens; changing the password or removing the account changes
 * or drops the stamp, which revokes every refresh token issued before.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { SwarmgateError } from './errors.js'

export interface Account {
  readonly name: string
  /** `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>` */
  readonly hash: string
  /** `owner`, `operator`, `viewer` or a custom role of the policy document (docs/authorization.md). */
  readonly role: string
  readonly state: 'active' | 'disabled'
  readonly stamp: string
}

export interface AccountStore {
  readonly version: 1
  readonly accounts: readonly Account[]
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/
const ROLE = /^[a-z][a-z0-9-]{0,31}$/
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
  const accounts = (doc as { accounts?: unknown }).accounts
  if (!Array.isArray(accounts)) return fail('"accounts" must be a list')
  const seen = new Set<string>()
  const out = accounts.map((a: Partial<Account>, i) => {
    if (typeof a.name !== 'string' || !validAccountName(a.name)) return fail(`account ${i} has no valid name`)
    if (seen.has(a.name)) return fail(`account ${a.name} appears twice`)
    seen.add(a.name)
    if (typeof a.hash !== 'string' || !a.hash.startsWith('scrypt$')) return fail(`account ${a.name} has no scrypt hash`)
    if (typeof a.role !== 'string' || !validRoleName(a.role)) return fail(`account ${a.name} has no valid role`)
    if (a.state !== 'active' && a.state !== 'disabled') return fail(`account ${a.name} has no valid state`)
    if (typeof a.stamp !== 'string' || a.stamp === '') return fail(`account ${a.name} has no stamp`)
    return Object.freeze({ name: a.name, hash: a.hash, role: a.role, state: a.state, stamp: a.stamp })
  })
  return Object.freeze({ version: 1, accounts: Object.freeze(out) })
}

/** Serialises an account store for a secret. */
export function serializeAccountStore (store: AccountStore): string {
  return JSON.stringify(store, null, 2) + '\n'
}
