/**
 * A string-keyed table with a size bound, for keys an attacker chooses (account names, source
 * addresses): writing an entry makes it the most recent, and the least recently written one goes
 * when the table is full.
 */
export class BoundedTable<V> {
  readonly #entries = new Map<string, V>()
  readonly #max: number

  constructor (max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`a table bound must be a positive integer, got ${max}`)
    this.#max = max
  }

  /** The entry under `key`, without making it more recent. */
  get (key: string): V | undefined {
    return this.#entries.get(key)
  }

  /** Writes `value` under `key` as the most recent entry, dropping the oldest beyond the bound. */
  set (key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string)
  }

  /** Removes the entry under `key`. */
  delete (key: string): void {
    this.#entries.delete(key)
  }

  get size (): number { return this.#entries.size }
}
