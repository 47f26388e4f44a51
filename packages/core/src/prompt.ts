/**
 * Questions on a terminal for the two interactive programs, registration and client. Prompts go to
 * standard error so standard output stays scriptable. Without a terminal nothing is asked: the
 * question fails with an error that names the flag to pass instead. Passwords are read with echo
 * off; `--password-stdin` reads them from a pipe instead.
 */
import type { Readable, Writable } from 'node:stream'
import { SwarmgateError } from './errors.js'

export interface TerminalInput extends Readable {
  readonly isTTY?: boolean
  setRawMode?: (mode: boolean) => unknown
}

export interface PromptOptions {
  /** The flag (and environment variable) that gives the answer without asking, named in errors. */
  readonly flag: string
  /** Answer taken when the user just presses enter. */
  readonly default?: string
}

/** Asks questions on a terminal; one per program run. */
export class Prompter {
  readonly #input: TerminalInput
  readonly #output: Writable
  /** Bytes typed ahead of the current question (pasted text, several lines at once). */
  #pending = ''

  constructor (input: TerminalInput, output: Writable) {
    this.#input = input
    this.#output = output
  }

  /** True when questions can be asked: standard input is a terminal. */
  get interactive (): boolean {
    return this.#input.isTTY === true && typeof this.#input.setRawMode === 'function'
  }

  /** Writes a line for the user (on standard error). */
  say (line: string): void {
    this.#output.write(`${line}\n`)
  }

  /** Asks for a line, echoed; an empty answer takes the default. */
  async ask (question: string, opts: PromptOptions): Promise<string> {
    const shown = opts.default === undefined ? `${question}: ` : `${question} [${opts.default}]: `
    const answer = (await this.#readLine(question, shown, true, opts)).trim()
    return answer === '' && opts.default !== undefined ? opts.default : answer
  }

  /** Asks for a secret with echo off. */
  async secret (question: string, opts: PromptOptions): Promise<string> {
    return await this.#readLine(question, `${question}: `, false, opts)
  }

  /** Asks a yes/no question; anything but y or yes is no. */
  async confirm (question: string, opts: PromptOptions): Promise<boolean> {
    return /^y(es)?$/i.test((await this.#readLine(question, `${question} [y/N]: `, true, opts)).trim())
  }

  async #readLine (question: string, shown: string, echo: boolean, opts: PromptOptions): Promise<string> {
    if (!this.interactive) {
      throw new SwarmgateError('SG_ERR_PROMPT_NO_TERMINAL', `cannot ask "${question}" without a terminal: pass ${opts.flag}, or run the container with docker run -ti`)
    }
    this.#output.write(shown)
    const input = this.#input
    input.setRawMode?.(true)
    input.resume()
    try {
      return await new Promise<string>((resolve, reject) => {
        let line = ''
        const consume = (text: string): boolean => {
          for (let i = 0; i < text.length; i++) {
            const ch = text[i] as string
            if (ch === '\r' || ch === '\n') {
              // A CR LF pair is one end of line.
              this.#pending = text.slice(ch === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1)
              this.#output.write('\n')
              resolve(line)
              return true
            }
            if (ch === '\u0003') { this.#output.write('\n'); reject(new SwarmgateError('SG_ERR_PROMPT_INTERRUPTED', 'interrupted')); return true }
            if (ch === '\u0004' && line === '') { this.#output.write('\n'); reject(new SwarmgateError('SG_ERR_PROMPT_INTERRUPTED', `no answer to "${question}" (end of input)`)); return true }
            if (ch === '\u007f' || ch === '\b') {
              if (line.length > 0) { line = line.slice(0, -1); if (echo) this.#output.write('\b \b') }
              continue
            }
            // Other control characters (arrows, escape sequences) are not part of an answer.
            if (ch < ' ') continue
            line += ch
            if (echo) this.#output.write(ch)
          }
          return false
        }
        const onData = (chunk: Buffer | string): void => {
          if (consume(chunk.toString())) finish()
        }
        const onEnd = (): void => { finish(); reject(new SwarmgateError('SG_ERR_PROMPT_INTERRUPTED', `no answer to "${question}" (end of input)`)) }
        const finish = (): void => { input.off('data', onData); input.off('end', onEnd) }
        const typedAhead = this.#pending
        this.#pending = ''
        if (consume(typedAhead)) return
        input.on('data', onData)
        input.on('end', onEnd)
      })
    } finally {
      input.setRawMode?.(false)
      input.pause()
    }
  }
}

/** Reads a password from a pipe (`--password-stdin`): everything up to the end, without the final line break. */
export async function readPasswordFromStdin (input: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer))
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
  if (password === '') throw new SwarmgateError('SG_ERR_PROMPT_NO_PASSWORD', '--password-stdin was given but standard input was empty; pipe the password in, e.g. printf %s "$PASSWORD" | docker run -i ...')
  return password
}
