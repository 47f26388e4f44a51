/**
 * Runs password hashes a few at a time. scrypt is built to be costly (tens of milliseconds of a
 * CPU core and 16 MiB each) and runs on libuv's small thread pool, which file and DNS work and the
 * crypto of Docker API calls share: unbounded, a flood of login attempts would take every core.
 * At most `concurrency` hashes run at once; a bounded queue holds the next ones, and an attempt
 * that finds it full is refused at once rather than held. Attempts from sources trusted for their
 * account wait in a queue of their own that goes first, so a flood of strangers' guesses does not
 * stand between the owner and a login.
 */
import { availableParallelism } from 'node:os'

export interface HashPoolSettings {
  /** Hashes computed at once. */
  readonly concurrency: number
  /** Attempts each queue holds beyond those being computed. */
  readonly maxQueued: number
}

/** Half the cores (one at least, four at most), so the rest stay free for Docker API calls. */
export const DEFAULT_HASH_POOL_SETTINGS: HashPoolSettings = Object.freeze({
  concurrency: Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2))),
  maxQueued: 16
})

export class HashPool {
  readonly #settings: HashPoolSettings
  readonly #queues: { readonly first: Array<() => void>, readonly rest: Array<() => void> } = { first: [], rest: [] }
  #running = 0

  constructor (settings: HashPoolSettings = DEFAULT_HASH_POOL_SETTINGS) {
    if (!Number.isInteger(settings.concurrency) || settings.concurrency < 1) throw new RangeError(`hash concurrency must be a positive integer, got ${settings.concurrency}`)
    if (!Number.isInteger(settings.maxQueued) || settings.maxQueued < 0) throw new RangeError(`the hash queue bound must be a non-negative integer, got ${settings.maxQueued}`)
    this.#settings = settings
  }

  /**
   * Runs `task` when a slot is free, ahead of the others when `first`; undefined at once when its
   * queue is full.
   */
  run<T> (task: () => Promise<T>, first = false): Promise<T> | undefined {
    const queue = first ? this.#queues.first : this.#queues.rest
    if (this.#running >= this.#settings.concurrency && queue.length >= this.#settings.maxQueued) return undefined
    return new Promise<void>((resolve) => {
      if (this.#running < this.#settings.concurrency) {
        this.#running++
        resolve()
      } else {
        queue.push(resolve)
      }
    }).then(task).finally(() => { this.#next() })
  }

  /** Hands the slot just freed to the next queued attempt. */
  #next (): void {
    const start = this.#queues.first.shift() ?? this.#queues.rest.shift()
    if (start === undefined) this.#running--
    else start()
  }

  /** Hashes being computed and attempts waiting, for tests and logs. */
  get load (): { running: number, queued: number } {
    return { running: this.#running, queued: this.#queues.first.length + this.#queues.rest.length }
  }
}
