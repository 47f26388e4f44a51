/**
 * Progress lines on standard error: on a terminal one line rewritten in place, as
 * `docker service create` shows convergence; in a log, a line only when the text changes.
 */
import type { Writable } from 'node:stream'

export class Progress {
  readonly #out: Writable & { isTTY?: boolean }
  #last = ''

  constructor (out: Writable & { isTTY?: boolean }) {
    this.#out = out
  }

  /** Shows `text` as the current state. */
  update (text: string): void {
    if (text === this.#last) return
    this.#last = text
    if (this.#out.isTTY === true) this.#out.write(`\r\u001b[K${text}`)
    else this.#out.write(`${text}\n`)
  }

  /** Ends the rewritten line so what follows starts on a new one. */
  done (): void {
    if (this.#out.isTTY === true && this.#last !== '') this.#out.write('\n')
    this.#last = ''
  }
}
