/**
 * Slows password guessing down without ever locking an account out (docs/security.md, "Password
 * guessing"). Every attempt is counted against three keys: the account from this source (the
 * source being the peer address, IPv6 by /64), the source whatever the account, and the account
 * whatever the source. Past a few free failures within a window, each key makes the next attempt
 * wait a delay that doubles with every further failure, up to a cap; an attempt that comes too
 * early is refused without computing a hash, with the time to wait. The account-wide count only
 * answers guessing spread over many sources: once it is over its budget, each source that has
 * not logged in to the account before must wait its delay, measured from its own last attempt
 * (or from its first refusal), so every source is slowed but none is shut out by another's
 * guesses. A source that logged in to the account is trusted for it for a while and skips that
 * account-wide delay. The throttle never learns whether an account exists, so it answers the
 * same for names that do and names that do not.
 */
import { validAccountName } from '@swarmgate/core'
import { BoundedTable } from './bounded-table.js'
import { sourceGroup } from './source-group.js'

/** How failures on one key turn into delays. */
export interface Schedule {
  /** Failures allowed without any delay. */
  readonly free: number
  /** The delay after the first failure beyond the free ones; each further failure doubles it. */
  readonly baseMs: number
  readonly capMs: number
  /** A key with no attempt for this long starts afresh. */
  readonly windowMs: number
}

export interface ThrottleSettings {
  /** Per account and source. */
  readonly pair: Schedule
  /** Per source, whatever the account. */
  readonly source: Schedule
  /** Per account, whatever the source: applies only to sources not trusted for the account. */
  readonly account: Schedule
  /** How long a source that logged in to an account stays trusted for it. */
  readonly trustMs: number
  /** The most entries each table keeps (keys are chosen by whoever connects). */
  readonly maxEntries: number
}

const MINUTE = 60_000

/** server-proxy's settings: a person mistyping keeps logging in, a guesser gets a few tries an hour. */
export const DEFAULT_THROTTLE_SETTINGS: ThrottleSettings = Object.freeze({
  pair: { free: 3, baseMs: 1_000, capMs: 5 * MINUTE, windowMs: 15 * MINUTE },
  source: { free: 10, baseMs: 1_000, capMs: 5 * MINUTE, windowMs: 15 * MINUTE },
  account: { free: 30, baseMs: 2_000, capMs: MINUTE, windowMs: 60 * MINUTE },
  trustMs: 30 * 24 * 60 * MINUTE,
  maxEntries: 50_000
})

/** Which key made an attempt wait. */
export type ThrottleScope = 'account-source' | 'source' | 'account'

/** What became of an admitted attempt: `unchecked` when its password was never compared. */
export type Outcome = 'success' | 'failure' | 'unchecked'

export type Admission =
  | { readonly admitted: true, readonly trusted: boolean, settle: (outcome: Outcome) => void }
  | { readonly admitted: false, readonly retryAfterMs: number, readonly scope: ThrottleScope }

interface Counter {
  failures: number
  /** Admitted attempts not settled yet: they count as failures until they are, so a burst of parallel guesses is no way round the delay. */
  pending: number
  /** The last admitted attempt or failure, or the first refusal of a source under an account-wide delay. */
  last: number
}

/** Names that cannot be accounts share one key, so long made-up names cannot fill the tables with large keys. */
const INVALID_NAME = '\0invalid'
/** A Docker ID or e-mail address as the authenticator names it for the throttle (identity/directory.ts). */
const DOCKER_LOGIN = /^docker:[a-z0-9._%+@-]{1,254}$/

/** The delay a key imposes after `count` failures. */
export function delayMs (count: number, schedule: Schedule): number {
  if (count < schedule.free) return 0
  return Math.min(schedule.capMs, schedule.baseMs * 2 ** (count - schedule.free))
}

/** One table of counters with its schedule. */
class Counters {
  readonly #table: BoundedTable<Counter>
  readonly #schedule: Schedule

  constructor (schedule: Schedule, maxEntries: number) {
    this.#schedule = schedule
    this.#table = new BoundedTable(maxEntries)
  }

  get schedule (): Schedule { return this.#schedule }

  /** The live counter under `key`; one whose window passed is forgotten. */
  get (key: string, now: number): Counter | undefined {
    const counter = this.#table.get(key)
    if (counter !== undefined && counter.pending === 0 && now - counter.last >= this.#schedule.windowMs) {
      this.#table.delete(key)
      return undefined
    }
    return counter
  }

  /** How long an attempt on `key` must still wait. */
  waitMs (key: string, now: number): number {
    const counter = this.get(key, now)
    if (counter === undefined) return 0
    return Math.max(0, counter.last + delayMs(counter.failures + counter.pending, this.#schedule) - now)
  }

  /** Counts an admitted attempt as pending. */
  admit (key: string, now: number): void {
    const counter = this.get(key, now) ?? { failures: 0, pending: 0, last: now }
    counter.pending++
    counter.last = now
    this.#table.set(key, counter)
  }

  /** Settles a pending attempt: a failure counts, anything else is given back. */
  settle (key: string, outcome: Outcome, now: number): void {
    const counter = this.get(key, now) ?? { failures: 0, pending: 1, last: now }
    counter.pending = Math.max(0, counter.pending - 1)
    if (outcome === 'failure') {
      counter.failures++
      counter.last = now
    }
    this.#table.set(key, counter)
  }

  /** Starts `key`'s clock now without counting an attempt. */
  mark (key: string, now: number): void {
    this.#table.set(key, { failures: 0, pending: 0, last: now })
  }

  delete (key: string): void {
    this.#table.delete(key)
  }

  get size (): number { return this.#table.size }
}

export class LoginThrottle {
  readonly #pairs: Counters
  readonly #sources: Counters
  readonly #accounts: Counters
  /** Per account and source: until when the source is trusted for the account. */
  readonly #trusted: BoundedTable<number>
  readonly #trustMs: number
  readonly #now: () => number

  constructor (settings: ThrottleSettings = DEFAULT_THROTTLE_SETTINGS, now: () => number = Date.now) {
    this.#pairs = new Counters(settings.pair, settings.maxEntries)
    this.#sources = new Counters(settings.source, settings.maxEntries)
    this.#accounts = new Counters(settings.account, settings.maxEntries)
    this.#trusted = new BoundedTable(settings.maxEntries)
    this.#trustMs = settings.trustMs
    this.#now = now
  }

  /** Admits a login attempt for `name` from the peer `address`, or says how long it must wait. */
  admit (name: string, address: string | undefined): Admission {
    const now = this.#now()
    const account = validAccountName(name) || DOCKER_LOGIN.test(name) ? name : INVALID_NAME
    const source = sourceGroup(address)
    // The source comes first and never holds a NUL, so no two (source, account) pairs share a key.
    const pair = `${source}\0${account}`
    const trusted = (this.#trusted.get(pair) ?? 0) > now
    const waits: Array<[ThrottleScope, number]> = [
      ['account-source', this.#pairs.waitMs(pair, now)],
      ['source', this.#sources.waitMs(source, now)],
      ['account', trusted ? 0 : this.#spreadWaitMs(account, pair, now)]
    ]
    const [scope, wait] = waits.reduce((a, b) => (b[1] > a[1] ? b : a))
    if (wait > 0) return { admitted: false, retryAfterMs: wait, scope }

    this.#pairs.admit(pair, now)
    this.#sources.admit(source, now)
    this.#accounts.admit(account, now)
    let settled = false
    const settle = (outcome: Outcome): void => {
      if (settled) return
      settled = true
      const at = this.#now()
      this.#sources.settle(source, outcome, at)
      this.#accounts.settle(account, outcome, at)
      if (outcome === 'success') {
        this.#pairs.delete(pair)
        this.#trusted.set(pair, at + this.#trustMs)
      } else {
        this.#pairs.settle(pair, outcome, at)
      }
    }
    return { admitted: true, trusted, settle }
  }

  /**
   * The account-wide delay for an untrusted source, measured from the source's own last attempt
   * on the account; a source with none starts waiting now (its first refusal starts the clock).
   */
  #spreadWaitMs (account: string, pair: string, now: number): number {
    const counter = this.#accounts.get(account, now)
    if (counter === undefined) return 0
    const delay = delayMs(counter.failures + counter.pending, this.#accounts.schedule)
    if (delay === 0) return 0
    const own = this.#pairs.get(pair, now)
    if (own === undefined) {
      this.#pairs.mark(pair, now)
      return delay
    }
    return Math.max(0, own.last + delay - now)
  }

  /** Entries per table, to show they stay bounded. */
  get sizes (): { pairs: number, sources: number, accounts: number, trusted: number } {
    return { pairs: this.#pairs.size, sources: this.#sources.size, accounts: this.#accounts.size, trusted: this.#trusted.size }
  }
}
