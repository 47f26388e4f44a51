/**
 * Interleaving: every round measures every subject once, starting with a different one each
 * round, so slow moments of this shared machine and any warm-up advantage of going first spread
 * over all subjects instead of landing on one.
 */

/** `items` rotated left by `round` places. */
export function rotated<T> (items: readonly T[], round: number): T[] {
  const k = items.length === 0 ? 0 : round % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

/** Collects per-round samples under string keys. */
export class Samples<T> {
  readonly #byKey = new Map<string, T[]>()

  add (key: string, value: T): void {
    const list = this.#byKey.get(key)
    if (list === undefined) this.#byKey.set(key, [value])
    else list.push(value)
  }

  get (key: string): readonly T[] { return this.#byKey.get(key) ?? [] }
}
