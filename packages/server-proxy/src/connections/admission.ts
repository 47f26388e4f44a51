/**
 * Who may open one more unauthenticated connection: a count per source address and one in all,
 * each against its cap. Only connections that have not authenticated are counted; a source's
 * entry is removed when its count falls to zero, so closed connections leave nothing behind.
 */

/** Why a connection was not admitted, or that it was. */
export type AdmissionVerdict = 'admitted' | 'per-source' | 'global'

export interface AdmissionLimits {
  /** Unauthenticated connections one source address may hold; 0 for no cap. */
  readonly perSource: number
  /** Unauthenticated connections all sources together may hold; 0 for no cap. */
  readonly total: number
}

export class Admission {
  readonly #limits: AdmissionLimits
  readonly #bySource = new Map<string, number>()
  #total = 0

  constructor (limits: AdmissionLimits) {
    this.#limits = limits
  }

  /** Counts one more connection from `source` if both caps allow it; says which cap refused it otherwise. */
  admit (source: string): AdmissionVerdict {
    const held = this.#bySource.get(source) ?? 0
    if (this.#limits.perSource > 0 && held >= this.#limits.perSource) return 'per-source'
    if (this.#limits.total > 0 && this.#total >= this.#limits.total) return 'global'
    this.#bySource.set(source, held + 1)
    this.#total++
    return 'admitted'
  }

  /** Forgets one admitted connection from `source` (it closed or authenticated). */
  release (source: string): void {
    const held = this.#bySource.get(source)
    if (held === undefined) return
    if (held <= 1) this.#bySource.delete(source)
    else this.#bySource.set(source, held - 1)
    this.#total--
  }

  /** Unauthenticated connections held by `source`. */
  held (source: string): number {
    return this.#bySource.get(source) ?? 0
  }

  /** Unauthenticated connections held by all sources. */
  get total (): number {
    return this.#total
  }

  /** Source addresses that hold at least one unauthenticated connection. */
  get sources (): number {
    return this.#bySource.size
  }
}
