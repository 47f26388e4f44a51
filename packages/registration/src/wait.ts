/** Polling until something holds, for convergence of swarm objects that have no events API here. */
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined, or `timeoutMs`
 * has passed (then undefined). Errors thrown by `check` end the wait.
 */
export async function waitFor<T> (timeoutMs: number, check: () => Promise<T | undefined>, intervalMs = 500): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() >= deadline) return undefined
    await sleep(intervalMs)
  }
}
