/**
 * Counting a proxy's open file descriptors to find leaked sockets. Pooled keep-alive connections
 * (undici keeps an idle one for 4 s, Node's server for 5 s) come and go on their own, so a count
 * is compared only once the chain has been idle long enough for them to have closed.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { ProxyProcess } from './proxy-process.js'

/** How long idle pooled connections may stay open (Node's server keepAliveTimeout, 5 s) plus margin. */
export const IDLE_SETTLE_MS = 6_500

/** The descriptor count of `proc` once idle: the lowest count seen while waiting IDLE_SETTLE_MS. */
export async function idleFds (proc: ProxyProcess): Promise<number> {
  let lowest = await proc.openFds()
  const deadline = Date.now() + IDLE_SETTLE_MS
  while (Date.now() < deadline) {
    await sleep(250)
    lowest = Math.min(lowest, await proc.openFds())
  }
  return lowest
}

/**
 * Polls until `proc` has at most `baseline` descriptors open or `timeoutMs` passes; returns the
 * last count (greater than baseline when it never came back down).
 */
export async function fdsBackTo (proc: ProxyProcess, baseline: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let count = await proc.openFds()
  while (count > baseline && Date.now() < deadline) {
    await sleep(250)
    count = await proc.openFds()
  }
  return count
}
