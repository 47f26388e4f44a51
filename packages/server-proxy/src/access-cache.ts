/**
 * Verified access tokens, kept until they expire so the hot path (every Docker API call) costs a
 * map lookup instead of a signature check. Bounded: the oldest entry goes when it is full.
 */
import type { VerifiedToken } from './tokens.js'

export class AccessCache {
  readonly #entries = new Map<string, VerifiedToken>()
  readonly #max: number
  readonly #skew: number

  constructor (max: number, clockSkew: number) {
    this.#max = max
    this.#skew = clockSkew
  }

  /** The verified token, if it was seen and has not expired. */
  get (token: string, now = Date.now() / 1000): VerifiedToken | undefined {
    const hit = this.#entries.get(token)
    if (hit === undefined) return undefined
    if (hit.exp + this.#skew <= now) { this.#entries.delete(token); return undefined }
    return hit
  }

  set (token: string, verified: VerifiedToken): void {
    if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value as string)
    this.#entries.set(token, verified)
  }

  get size (): number { return this.#entries.size }
}
