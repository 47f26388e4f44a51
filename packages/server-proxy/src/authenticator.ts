/**
 * Checks credentials against the account store. Unknown accounts cost the same scrypt work as
 * known ones (no timing oracle for account names), and repeated failures for one account are
 * slowed down: after MAX_FAILURES within the window, further attempts are refused until it passes.
 */
import { hashPassword, verifyPassword, type Account, type AccountStore } from '@swarmgate/core'

const MAX_FAILURES = 5
const WINDOW_MS = 60_000
const MAX_TRACKED = 10_000

export type AuthResult =
  | { readonly ok: true, readonly account: Account }
  | { readonly ok: false, readonly reason: 'invalid' | 'throttled' }

export class Authenticator {
  readonly #accounts: ReadonlyMap<string, Account>
  readonly #failures = new Map<string, { count: number, since: number }>()
  readonly #dummyHash: Promise<string>

  constructor (store: AccountStore) {
    this.#accounts = new Map(store.accounts.map((a) => [a.name, a]))
    this.#dummyHash = hashPassword('swarmgate-dummy-password')
  }

  /** The account if it exists and is active. */
  active (name: string): Account | undefined {
    const account = this.#accounts.get(name)
    return account?.state === 'active' ? account : undefined
  }

  async authenticate (name: string, password: string, now = Date.now()): Promise<AuthResult> {
    const failures = this.#failures.get(name)
    if (failures !== undefined && now - failures.since > WINDOW_MS) this.#failures.delete(name)
    else if (failures !== undefined && failures.count >= MAX_FAILURES) return { ok: false, reason: 'throttled' }

    const account = this.active(name)
    const matches = await verifyPassword(password, account?.hash ?? await this.#dummyHash)
    if (account !== undefined && matches) {
      this.#failures.delete(name)
      return { ok: true, account }
    }
    const entry = this.#failures.get(name) ?? { count: 0, since: now }
    entry.count++
    this.#failures.set(name, entry)
    // Names are attacker-chosen: keep the table bounded by dropping the oldest entry.
    if (this.#failures.size > MAX_TRACKED) this.#failures.delete(this.#failures.keys().next().value as string)
    return { ok: false, reason: 'invalid' }
  }
}
