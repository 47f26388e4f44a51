/** Waiting for something that happens on the engine's time (a task starting, a network freed). */
import { setTimeout as sleep } from 'node:timers/promises'
import { errors } from './errors.js'

export interface WaitOptions {
  /** Default 60 s. */
  readonly timeoutMs?: number
  /** Default 500 ms. */
  readonly intervalMs?: number
}

/**
 * Calls `probe` until it returns something other than undefined and returns that. A probe that
 * throws counts as not yet; its last error goes into the timeout message, which names `what`.
 */
export async function waitFor<T> (what: string, probe: () => Promise<T | undefined>, opts: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    if (Date.now() >= deadline) {
      const why = last instanceof Error ? `; last error: ${last.message}` : ''
      throw errors.SG_ERR_TESTBED_TIMEOUT(`${what} after ${opts.timeoutMs ?? 60_000} ms${why}`, last)
    }
    await sleep(opts.intervalMs ?? 500)
  }
}
