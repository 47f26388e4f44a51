/**
 * Counts of the soak's operations by kind, and its failures with their messages: a failure is
 * counted under its kind, and its message kept (the first few distinct ones, with how often each
 * came), so a run that fails says why without holding every message of a long run in memory.
 */

/** Distinct failure messages kept; later new ones are only counted. */
const MAX_MESSAGES = 30

export interface KindCount {
  readonly done: number
  readonly failed: number
}

export interface Tally {
  /** Runs `op` as one operation of `kind`, counting it done or failed (never throws). */
  count (kind: string, op: () => Promise<void>): Promise<boolean>
  operations (): number
  errors (): number
  byKind (): Record<string, KindCount>
  /** Failure messages with how many times each occurred, most frequent first. */
  messages (): Array<{ readonly kind: string, readonly message: string, readonly times: number }>
}

/** A fresh tally. */
export function createTally (): Tally {
  const kinds = new Map<string, { done: number, failed: number }>()
  const messages = new Map<string, { kind: string, message: string, times: number }>()
  let operations = 0
  let errors = 0
  return {
    count: async (kind, op) => {
      const k = kinds.get(kind) ?? { done: 0, failed: 0 }
      kinds.set(kind, k)
      try {
        await op()
        k.done++
        operations++
        return true
      } catch (err) {
        k.failed++
        errors++
        operations++
        // One line: CLI output in a message would break the table it is printed in.
        const message = ((err as Error).message ?? String(err)).replace(/\s+/g, ' ').slice(0, 400)
        // Numbers (container names, ids, counts) would make every occurrence a message of its own.
        const key = `${kind}\n${message.replace(/[0-9a-f]{12,}|\d+/g, 'N')}`
        const seen = messages.get(key)
        if (seen !== undefined) seen.times++
        else if (messages.size < MAX_MESSAGES) messages.set(key, { kind, message, times: 1 })
        return false
      }
    },
    operations: () => operations,
    errors: () => errors,
    byKind: () => Object.fromEntries([...kinds].map(([kind, c]) => [kind, { ...c }])),
    messages: () => [...messages.values()].sort((a, b) => b.times - a.times).map((m) => ({ ...m }))
  }
}
