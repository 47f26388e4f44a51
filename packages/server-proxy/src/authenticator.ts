/**
 * Checks credentials against the account store. Unknown accounts cost the same scrypt work as
 * known ones (no timing oracle for account names). Guessing is slowed per account and source, per
 * source and, for sources that never logged in to the account, per account (identity/login-throttle.ts),
 * and hashes are computed a few at a time (identity/hash-pool.ts): an attempt that would have to
 * wait is refused at once with the time to wait, before any hash is computed.
 */
import { hashPassword, verifyPassword, type Account, type AccountStore } from '@swarmgate/core'
import { LoginThrottle, type ThrottleScope } from './identity/login-throttle.js'
import { HashPool } from './identity/hash-pool.js'

/** How long an attempt refused because the hash queue was full is told to wait. */
const BUSY_RETRY_MS = 1_000

export type AuthResult =
  | { readonly ok: true, readonly account: Account }
  | { readonly ok: false, readonly reason: 'invalid' }
  | { readonly ok: false, readonly reason: 'throttled', readonly scope: ThrottleScope, readonly retryAfterMs: number }
  | { readonly ok: false, readonly reason: 'busy', readonly retryAfterMs: number }

export interface AuthenticatorOptions {
  readonly throttle?: LoginThrottle
  readonly pool?: HashPool
}

export class Authenticator {
  readonly #accounts: ReadonlyMap<string, Account>
  readonly #dummyHash: Promise<string>
  readonly #throttle: LoginThrottle
  readonly #pool: HashPool

  constructor (store: AccountStore, opts: AuthenticatorOptions = {}) {
    this.#accounts = new Map(store.accounts.map((a) => [a.name, a]))
    this.#dummyHash = hashPassword('swarmgate-dummy-password')
    this.#throttle = opts.throttle ?? new LoginThrottle()
    this.#pool = opts.pool ?? new HashPool()
  }

  /** The account if it exists and is active. */
  active (name: string): Account | undefined {
    const account = this.#accounts.get(name)
    return account?.state === 'active' ? account : undefined
  }

  /** Checks `password` for `name`, attempted from the peer `source` address. */
  async authenticate (name: string, password: string, source: string | undefined): Promise<AuthResult> {
    const admission = this.#throttle.admit(name, source)
    if (!admission.admitted) return { ok: false, reason: 'throttled', scope: admission.scope, retryAfterMs: admission.retryAfterMs }
    const account = this.active(name)
    const hash = account?.hash ?? await this.#dummyHash
    const check = this.#pool.run(async () => await verifyPassword(password, hash), admission.trusted)
    if (check === undefined) {
      admission.settle('unchecked')
      return { ok: false, reason: 'busy', retryAfterMs: BUSY_RETRY_MS }
    }
    let matches: boolean
    try {
      matches = await check
    } catch (err) {
      admission.settle('unchecked')
      throw err
    }
    if (account !== undefined && matches) {
      admission.settle('success')
      return { ok: true, account }
    }
    admission.settle('failure')
    return { ok: false, reason: 'invalid' }
  }
}
