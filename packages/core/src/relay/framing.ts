/**
 * HTTP/1.1 message framing (RFC 9112), as much as a relay needs to pass bytes through without
 * re-writing them: where a head ends, what it says, and where the body after it ends. Parsing is
 * strict on purpose: whatever is not plain, unambiguous HTTP/1.1 (bare LF, folded or malformed
 * header lines, Transfer-Encoding other than chunked, Content-Length with Transfer-Encoding or
 * twice) is reported as unsure, and the relay leaves such a request to node:http's parser.
 */

/** A parsed head: the start line's parts and the header lines, names and values as received. */
export interface Head {
  /** Request: method, target, version. Response: version, status code, reason. */
  readonly parts: readonly [string, string, string]
  /** Flat [name, value, name, value, ...], values without surrounding blanks. */
  readonly rawHeaders: readonly string[]
}

/** How the body after a head is delimited. */
export type BodyFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length', readonly length: number }
  | { readonly kind: 'chunked' }
  /** Until the connection closes (a response without length or chunking). */
  | { readonly kind: 'close' }

const CRLFCRLF = Buffer.from('\r\n\r\n')
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Field values: visible ASCII, obs-text, spaces and tabs; no CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
const DIGITS = /^\d{1,15}$/

/** The offset just past the blank line that ends a head starting at `from`, or -1 when it has not all arrived. */
export function headEnd (buf: Buffer, from = 0): number {
  const at = buf.indexOf(CRLFCRLF, from)
  return at === -1 ? -1 : at + 4
}

/** Parses a head (the bytes up to and including its blank line); undefined when it is not plain HTTP/1.1. */
export function parseHead (bytes: Buffer): Head | undefined {
  const text = bytes.toString('latin1', 0, bytes.length - 4)
  const lines = text.split('\r\n')
  for (const line of lines) if (line.includes('\n') || line.includes('\r')) return undefined
  const start = lines[0] ?? ''
  const first = start.indexOf(' ')
  const second = start.indexOf(' ', first + 1)
  if (first <= 0 || second <= first + 1) return undefined
  const parts: [string, string, string] = [start.slice(0, first), start.slice(first + 1, second), start.slice(second + 1)]
  const rawHeaders: string[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string
    const colon = line.indexOf(':')
    if (colon <= 0) return undefined
    const name = line.slice(0, colon)
    const value = trimBlanks(line, colon + 1)
    // A name with blanks around it, or a line starting with a blank (obsolete folding), is refused.
    if (!TOKEN.test(name) || !FIELD_VALUE.test(value)) return undefined
    rawHeaders.push(name, value)
  }
  return { parts, rawHeaders }
}

/** `line` from `from` on, without the spaces and tabs around it (a header value, RFC 9110 §5.5). */
function trimBlanks (line: string, from: number): string {
  let start = from
  let end = line.length
  while (start < end && isBlank(line.charCodeAt(start))) start++
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--
  return line.slice(start, end)
}

function isBlank (code: number): boolean {
  return code === 0x20 || code === 0x09
}

/** Every value of header `name` (lower case), in order. */
export function headerValues (rawHeaders: readonly string[], name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i] as string
    // Lower-cased only when the length already matches: most names are not the one asked for.
    if (n.length === name.length && n.toLowerCase() === name) out.push(rawHeaders[i + 1] as string)
  }
  return out
}

/** The comma-separated tokens of every `name` header, lower case. */
export function headerTokens (rawHeaders: readonly string[], name: string): string[] {
  const out: string[] = []
  for (const value of headerValues(rawHeaders, name)) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase()
      if (t !== '') out.push(t)
    }
  }
  return out
}

/**
 * The body framing of a message with these headers, or undefined when it is ambiguous. A
 * request without length or chunking has no body; a response has one until the connection closes.
 */
export function messageFraming (rawHeaders: readonly string[], isRequest: boolean): BodyFraming | undefined {
  const te = headerTokens(rawHeaders, 'transfer-encoding')
  const cl = headerValues(rawHeaders, 'content-length')
  if (te.length > 0) {
    if (cl.length > 0) return undefined
    if (te.length === 1 && te[0] === 'chunked') return { kind: 'chunked' }
    // Another coding last means "until close" for a response and is refused for a request.
    return isRequest || te[te.length - 1] === 'chunked' ? undefined : { kind: 'close' }
  }
  if (cl.length > 1) return undefined
  if (cl.length === 1) {
    const value = cl[0] as string
    if (!DIGITS.test(value)) return undefined
    const length = Number(value)
    return length === 0 ? { kind: 'none' } : { kind: 'length', length }
  }
  return isRequest ? { kind: 'none' } : { kind: 'close' }
}

/**
 * The framing of a response's body given the request's method and the status (RFC 9112 §6.3):
 * HEAD answers and 1xx, 204 and 304 have none, whatever their headers say.
 */
export function responseFraming (method: string, status: number, rawHeaders: readonly string[]): BodyFraming | undefined {
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' }
  return messageFraming(rawHeaders, false)
}

/** The longest chunk-size line (size and extensions) accepted: far above anything real. */
const MAX_CHUNK_LINE = 4096

type ChunkState = 'size' | 'ext' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'trailer-lf' | 'done'

/**
 * Finds where a body ends in the bytes that follow its head, chunk by chunk as they arrive,
 * without copying them. `scan()` says how many bytes of the chunk given belong to the body; once
 * `done`, the rest belong to what follows. Malformed chunked framing throws.
 */
export class BodyScanner {
  #framing: BodyFraming
  #remaining: number
  #state: ChunkState = 'size'
  #size = 0
  #lineBytes = 0
  #trailerLineEmpty = true
  #done: boolean

  constructor (framing: BodyFraming) {
    this.#framing = framing
    this.#remaining = framing.kind === 'length' ? framing.length : 0
    this.#done = framing.kind === 'none'
  }

  /** True once the whole body has been scanned. A body delimited by close is never done. */
  get done (): boolean { return this.#done }

  /** How many bytes of `chunk` from `offset` on are body. */
  scan (chunk: Buffer, offset = 0): number {
    if (this.#done) return 0
    const available = chunk.length - offset
    switch (this.#framing.kind) {
      case 'none': return 0
      case 'close': return available
      case 'length': {
        const taken = Math.min(available, this.#remaining)
        this.#remaining -= taken
        if (this.#remaining === 0) this.#done = true
        return taken
      }
      case 'chunked': return this.#scanChunked(chunk, offset)
    }
  }

  #scanChunked (chunk: Buffer, offset: number): number {
    let i = offset
    while (i < chunk.length && !this.#done) {
      if (this.#state === 'data') {
        const taken = Math.min(chunk.length - i, this.#size)
        this.#size -= taken
        i += taken
        if (this.#size === 0) this.#state = 'data-cr'
        continue
      }
      const byte = chunk[i] as number
      i++
      switch (this.#state) {
        case 'size': {
          const digit = hexValue(byte)
          if (digit !== -1 && this.#lineBytes < 15) {
            this.#size = this.#size * 16 + digit
          } else if (this.#lineBytes > 0 && (byte === 0x3b || byte === 0x20 || byte === 0x09)) {
            this.#state = 'ext'
          } else if (this.#lineBytes > 0 && byte === 0x0d) {
            this.#state = 'size-lf'
          } else {
            throw new Error('malformed chunk size')
          }
          this.#lineBytes++
          break
        }
        case 'ext':
          if (byte === 0x0d) this.#state = 'size-lf'
          else if (byte === 0x0a || ++this.#lineBytes > MAX_CHUNK_LINE) throw new Error('malformed chunk extension')
          break
        case 'size-lf':
          if (byte !== 0x0a) throw new Error('chunk size line without LF')
          this.#lineBytes = 0
          if (this.#size === 0) { this.#state = 'trailer'; this.#trailerLineEmpty = true } else this.#state = 'data'
          break
        case 'data-cr':
          if (byte !== 0x0d) throw new Error('chunk data without CRLF')
          this.#state = 'data-lf'
          break
        case 'data-lf':
          if (byte !== 0x0a) throw new Error('chunk data without CRLF')
          this.#state = 'size'
          break
        case 'trailer':
          if (byte === 0x0d) this.#state = 'trailer-lf'
          else if (byte === 0x0a || ++this.#lineBytes > MAX_CHUNK_LINE) throw new Error('malformed trailer')
          else this.#trailerLineEmpty = false
          break
        case 'trailer-lf':
          if (byte !== 0x0a) throw new Error('trailer line without LF')
          if (this.#trailerLineEmpty) { this.#state = 'done'; this.#done = true } else { this.#state = 'trailer'; this.#trailerLineEmpty = true; this.#lineBytes = 0 }
          break
        default:
          throw new Error(`unexpected state ${this.#state}`)
      }
    }
    return i - offset
  }
}

function hexValue (byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10
  return -1
}
