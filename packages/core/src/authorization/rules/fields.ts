/**
 * Reading a decoded body with the engine's Go types. Each reader looks a field up as Go matches it
 * (field(): any case, Unicode folding) and accepts exactly what Go would decode into the field's
 * type; JSON null counts as absent, as Go leaves the field untouched. Anything else throws
 * UnexpectedType, which the rule reports: the engine would refuse the body, and a rule that read
 * past it would be guessing.
 */
import { field } from '../go-json.js'
import { UnexpectedType } from './violation.js'

/** A decoded JSON object (or an absent one) and where it sits in the body, for messages. */
export class Doc {
  private constructor (private readonly value: object | undefined, readonly path: string) {}

  /** `value` as a Go struct or map: an object, or absent when undefined or null. */
  static of (value: unknown, path: string): Doc {
    if (value === undefined || value === null) return new Doc(undefined, path)
    if (typeof value !== 'object' || Array.isArray(value)) throw new UnexpectedType(path, 'an object', value)
    return new Doc(value, path)
  }

  /** False when the object itself is absent. */
  get present (): boolean {
    return this.value !== undefined
  }

  /** The raw value of a field (undefined when absent). */
  raw (name: string): unknown {
    return field(this.value, name)
  }

  /** True when the field is there and not null. */
  has (name: string): boolean {
    const value = this.raw(name)
    return value !== undefined && value !== null
  }

  /** A nested struct (pointer or not). */
  object (name: string): Doc {
    return Doc.of(this.raw(name), this.at(name))
  }

  /** A string field. */
  string (name: string): string | undefined {
    const value = this.raw(name)
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') throw new UnexpectedType(this.at(name), 'a string', value)
    return value
  }

  /** A bool field. */
  bool (name: string): boolean {
    const value = this.raw(name)
    if (value === undefined || value === null) return false
    if (typeof value !== 'boolean') throw new UnexpectedType(this.at(name), 'a boolean', value)
    return value
  }

  /** A []string field. */
  strings (name: string): readonly string[] {
    return stringList(this.raw(name), this.at(name))
  }

  /** A strslice.StrSlice field (CapAdd, CapDrop): Go also accepts a single string for it. */
  strSlice (name: string): readonly string[] {
    const value = this.raw(name)
    return typeof value === 'string' ? [value] : stringList(value, this.at(name))
  }

  /** A map[string]string field, as its entries. */
  stringMap (name: string): ReadonlyArray<readonly [string, string]> {
    return stringEntries(this.raw(name), this.at(name))
  }

  /** The keys of a map field (map[string]anything), such as EndpointsConfig. */
  keys (name: string): readonly string[] {
    const map = this.object(name)
    return map.value === undefined ? [] : Object.keys(map.value)
  }

  /** A []struct or []*struct field; a null element is refused (Go would leave a zero or nil struct the engine then trips on). */
  objects (name: string): readonly Doc[] {
    const value = this.raw(name)
    if (value === undefined || value === null) return []
    if (!Array.isArray(value)) throw new UnexpectedType(this.at(name), 'a list of objects', value)
    return value.map((item, i) => {
      const path = `${this.at(name)}[${i}]`
      if (item === null) throw new UnexpectedType(path, 'an object', item)
      return Doc.of(item, path)
    })
  }

  /** True when a list field is there and has elements (Devices: []). */
  nonEmptyList (name: string): boolean {
    const value = this.raw(name)
    if (value === undefined || value === null) return false
    if (!Array.isArray(value)) throw new UnexpectedType(this.at(name), 'a list', value)
    return value.length > 0
  }

  /** The path of a field of this object, for messages. */
  at (name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`
  }
}

/** The entries of a map[string]string value (Labels, DriverOpts); a value that is not a string is refused. */
export function stringEntries (value: unknown, path: string): ReadonlyArray<readonly [string, string]> {
  if (value === undefined || value === null) return []
  if (typeof value !== 'object' || Array.isArray(value)) throw new UnexpectedType(path, 'an object of strings', value)
  return Object.entries(value).map(([key, item]) => {
    if (typeof item !== 'string') throw new UnexpectedType(`${path}.${key}`, 'a string', item)
    return [key, item] as const
  })
}

function stringList (value: unknown, path: string): readonly string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw new UnexpectedType(path, 'a list of strings', value)
  for (const [i, item] of value.entries()) {
    // A null element would decode as "": refused rather than guessed at.
    if (typeof item !== 'string') throw new UnexpectedType(`${path}[${i}]`, 'a string', item)
  }
  return value as string[]
}
