/**
 * Rate-limited log of what the guard did to each source address: the first event from a source
 * is logged at once, later ones are counted and logged together once per interval, so an
 * attacker's thousands of connections cost a few log lines, not one each.
 */
import type { Logger } from '@swarmgate/core'

/** What the guard did to a connection. */
export type GuardEvent = 'refused-per-source' | 'refused-global' | 'closed-handshake' | 'closed-head' | 'closed-idle'

/** Beyond this many sources in one interval, the rest are counted together (an IPv6 sweep must not grow the map without bound). */
const MAX_SOURCES = 1_000
const OTHER_SOURCES = '(other sources)'

type Counts = Partial<Record<GuardEvent, number>>

export class SourceTally {
  readonly #log: Logger
  readonly #intervalMs: number
  /** Counts not yet logged, per source seen in the current interval. */
  readonly #pending = new Map<string, Counts>()
  readonly #totals: Record<GuardEvent, number> = { 'refused-per-source': 0, 'refused-global': 0, 'closed-handshake': 0, 'closed-head': 0, 'closed-idle': 0 }
  #timer: NodeJS.Timeout | undefined

  constructor (log: Logger, intervalMs: number) {
    this.#log = log
    this.#intervalMs = intervalMs
  }

  /** Records one event from `source`; logs it at once if it is the source's first this interval. */
  note (source: string, event: GuardEvent): void {
    this.#totals[event]++
    const key = this.#pending.has(source) || this.#pending.size < MAX_SOURCES ? source : OTHER_SOURCES
    const counts = this.#pending.get(key)
    if (counts !== undefined) {
      counts[event] = (counts[event] ?? 0) + 1
      return
    }
    this.#pending.set(key, {})
    this.#log.warn({ source: key, event }, 'connection guard: refused or closed a connection that has not authenticated (more from this source are counted once per interval)')
    this.#timer ??= setInterval(() => { this.flush() }, this.#intervalMs).unref()
  }

  /** Logs one line per source with the events counted since its last line; forgets quiet sources. */
  flush (): void {
    for (const [source, counts] of this.#pending) {
      if (Object.keys(counts).length === 0) { this.#pending.delete(source); continue }
      this.#log.warn({ source, counts, intervalMs: this.#intervalMs }, 'connection guard: connections refused or closed in the last interval')
      this.#pending.set(source, {})
    }
    if (this.#pending.size === 0 && this.#timer !== undefined) { clearInterval(this.#timer); this.#timer = undefined }
  }

  /** Events recorded since start, by kind. */
  totals (): Readonly<Record<GuardEvent, number>> {
    return { ...this.#totals }
  }

  /** Sources with counts not yet logged or still inside their interval. */
  get sources (): number {
    return this.#pending.size
  }

  /** Logs what is pending and stops the interval. */
  close (): void {
    this.flush()
    this.#pending.clear()
    if (this.#timer !== undefined) { clearInterval(this.#timer); this.#timer = undefined }
  }
}
