/**
 * Request bodies read as the engine reads them. dockerd decodes JSON with Go's encoding/json,
 * which matches object keys to struct fields without regard to case (Unicode simple folding:
 * `ſ` is `s`, `K` (Kelvin) is `k`), decodes a repeated key again into the same value (nested
 * structs merge, the last scalar wins) and reads one value, leaving whatever follows it.
 * JSON.parse keeps none of that, so a check written over it could look at another field than the
 * engine uses. This parser is strict instead of faithful: it refuses every body whose meaning
 * depends on those rules (keys equal under folding, trailing data, invalid UTF-8 or lone
 * surrogates that Go would turn into U+FFFD, forms, compressed bodies). The docker CLI never
 * sends such bodies, and a body we refuse never reaches the engine.
 */
import type { Body } from './types.js'

/** Deeper than anything the engine's types nest; Go's own limit is 10000. */
const MAX_DEPTH = 100

/** Strict: invalid UTF-8 throws. ignoreBOM keeps a byte order mark in the text, where the parser refuses it as Go does. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Media types Go's Request.ParseForm (or FormValue) reads as form fields, ahead of the query string. */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data'])

/** Decodes a request body the way the engine's Go encoding/json would, or says why it cannot be certain. */
export function decodeBody (bytes: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Body {
  const encoding = (contentEncoding ?? '').trim().toLowerCase()
  if (encoding !== '' && encoding !== 'identity') {
    return undecodable(415, `a body with Content-Encoding ${JSON.stringify(contentEncoding)} (the engine does not decompress request bodies)`)
  }
  if (contentType !== undefined && isFormBody(contentType)) {
    return undecodable(415, `a body with Content-Type ${JSON.stringify(contentType)} (the engine would read it as form fields)`)
  }
  if (bytes.length === 0) return { kind: 'none' }
  let text: string
  try {
    text = UTF8.decode(bytes)
  } catch {
    return undecodable(400, 'a body that is not valid UTF-8 (Go would replace the bad bytes with U+FFFD)')
  }
  try {
    return new Parser(text).document()
  } catch (err) {
    if (err instanceof SyntaxProblem) return undecodable(400, `a body that is not JSON the engine reads with certainty: ${err.message}`)
    throw err
  }
}

/**
 * True for a Content-Type that Go's ParseForm reads as form fields: it then takes the body's fields
 * ahead of the query string's, so a check of the query alone would read other values than the engine.
 * A type with anything but printable ASCII counts as a form: Go lower-cases it with Unicode rules.
 */
export function isFormBody (contentType: string): boolean {
  if (!/^[\x20-\x7e\t]*$/.test(contentType)) return true
  const semicolon = contentType.indexOf(';')
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return FORM_TYPES.has(media)
}

/** The value of field `name` of a decoded object as Go matches struct fields (case-insensitive, Unicode folding). */
export function field (obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined
  const record = obj as Record<string, unknown>
  // Go prefers a key spelled exactly like the field; decoded objects never have two candidates.
  if (Object.hasOwn(record, name)) return record[name]
  const folded = foldKey(name)
  const index = FOLDED_KEYS.get(obj)
  if (index !== undefined) {
    const key = index.get(folded)
    return key === undefined ? undefined : record[key]
  }
  for (const key of Object.keys(record)) {
    if (foldKey(key) === folded) return record[key]
  }
  return undefined
}

/**
 * A key in a form where two keys Go's encoding/json would match to the same struct field are
 * equal. Go compares by Unicode simple case folding; upper- then lower-casing each code point
 * (keeping it when a mapping would expand it) puts every simple-folding orbit on one form. It
 * also joins a few code points Go keeps apart (the dotless ı with i): that only refuses more.
 */
function foldKey (key: string): string {
  if (/^[\x00-\x7f]*$/.test(key)) return key.toLowerCase()
  let out = ''
  for (const ch of key) {
    const upper = ch.toUpperCase()
    const base = [...upper].length === 1 ? upper : ch
    const lower = base.toLowerCase()
    out += [...lower].length === 1 ? lower : base
  }
  return out
}

/** The folded keys of every object the parser made: field() looks them up instead of folding each key again. */
const FOLDED_KEYS = new WeakMap<object, ReadonlyMap<string, string>>()

function undecodable (status: 400 | 415, what: string): Body {
  return { kind: 'undecodable', status, reason: `swarmgate does not forward ${what}` }
}

class SyntaxProblem extends Error {}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
/** A run of string characters that need no attention (always matches, possibly empty). */
const PLAIN = /[^"\\\x00-\x1f]*/y
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

/** A strict JSON reader (RFC 8259, as Go's scanner accepts it) over the whole body. */
class Parser {
  private pos = 0

  constructor (private readonly text: string) {}

  document (): Body {
    this.skipSpace()
    if (this.pos === this.text.length) return { kind: 'none' }
    const value = this.value(0)
    this.skipSpace()
    if (this.pos !== this.text.length) this.fail('data after the first JSON value (the engine reads one value and leaves the rest)')
    return { kind: 'json', value }
  }

  private fail (why: string): never {
    throw new SyntaxProblem(`${why} at offset ${this.pos}`)
  }

  private skipSpace (): void {
    const text = this.text
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return
      this.pos++
    }
  }

  private value (depth: number): unknown {
    const c = this.text[this.pos]
    switch (c) {
      case '{': return this.object(depth + 1)
      case '[': return this.array(depth + 1)
      case '"': return this.string()
      case 't': return this.literal('true', true)
      case 'f': return this.literal('false', false)
      case 'n': return this.literal('null', null)
      default: return this.number()
    }
  }

  private literal<T> (word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('an invalid value')
    this.pos += word.length
    return value
  }

  private number (): number {
    NUMBER.lastIndex = this.pos
    const match = NUMBER.exec(this.text)
    if (match === null) this.fail(this.pos === this.text.length ? 'an unexpected end' : 'an invalid value')
    this.pos += match[0].length
    return Number(match[0])
  }

  private object (depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`)
    this.pos++
    // No prototype: a key such as __proto__ is an ordinary field, as it is for Go.
    const out = Object.create(null) as Record<string, unknown>
    const folded = new Map<string, string>()
    this.skipSpace()
    if (this.text[this.pos] === '}') {
      this.pos++
      FOLDED_KEYS.set(out, folded)
      return out
    }
    for (;;) {
      this.skipSpace()
      if (this.text[this.pos] !== '"') this.fail('an object key that is not a string')
      const keyAt = this.pos
      const key = this.string()
      const fold = foldKey(key)
      const earlier = folded.get(fold)
      if (earlier !== undefined) {
        this.pos = keyAt
        this.fail(earlier === key
          ? `the key ${JSON.stringify(key)} twice in one object (Go decodes both, into the same field)`
          : `the keys ${JSON.stringify(earlier)} and ${JSON.stringify(key)} in one object (Go matches both to the same field)`)
      }
      folded.set(fold, key)
      this.skipSpace()
      if (this.text[this.pos] !== ':') this.fail('a missing colon')
      this.pos++
      this.skipSpace()
      out[key] = this.value(depth)
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === '}') break
      if (next !== ',') this.fail('a missing comma or closing brace')
    }
    FOLDED_KEYS.set(out, folded)
    return out
  }

  private array (depth: number): unknown[] {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`)
    this.pos++
    const out: unknown[] = []
    this.skipSpace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return out
    }
    for (;;) {
      this.skipSpace()
      out.push(this.value(depth))
      this.skipSpace()
      const next = this.text[this.pos++]
      if (next === ']') return out
      if (next !== ',') this.fail('a missing comma or closing bracket')
    }
  }

  private string (): string {
    const text = this.text
    let pos = this.pos + 1
    let out = ''
    let run = pos
    for (;;) {
      if (pos >= text.length) {
        this.pos = pos
        this.fail('an unterminated string')
      }
      PLAIN.lastIndex = pos
      pos += (PLAIN.exec(text) as RegExpExecArray)[0].length
      if (pos >= text.length) continue
      const c = text.charCodeAt(pos)
      if (c === 0x22) break
      if (c < 0x20) {
        this.pos = pos
        this.fail('a control character in a string')
      }
      out += text.slice(run, pos)
      const e = text[pos + 1]
      if (e === 'u') {
        const unit = this.hex4(pos + 2)
        pos += 6
        if (unit >= 0xd800 && unit <= 0xdbff && text.startsWith('\\u', pos)) {
          const low = this.hex4(pos + 2)
          if (low >= 0xdc00 && low <= 0xdfff) {
            out += String.fromCharCode(unit, low)
            pos += 6
            run = pos
            continue
          }
        }
        if (unit >= 0xd800 && unit <= 0xdfff) {
          this.pos = pos - 6
          this.fail('a lone UTF-16 surrogate escape (Go would read it as U+FFFD)')
        }
        out += String.fromCharCode(unit)
      } else {
        const escaped = e === undefined ? undefined : ESCAPES[e]
        if (escaped === undefined) {
          this.pos = pos
          this.fail('an invalid escape in a string')
        }
        out += escaped
        pos += 2
      }
      run = pos
    }
    this.pos = pos + 1
    return out + text.slice(run, pos)
  }

  private hex4 (at: number): number {
    const digits = this.text.slice(at, at + 4)
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
      this.pos = at
      this.fail('an invalid \\u escape')
    }
    return parseInt(digits, 16)
  }
}
