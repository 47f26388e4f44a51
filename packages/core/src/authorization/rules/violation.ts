/**
 * What a rule reports, and how a field of an unexpected type becomes one. The engine refuses a
 * body whose field has the wrong JSON type (Go's UnmarshalTypeError), but a rule that skipped such
 * a field would be reading a body the engine does not: the rules refuse it themselves instead.
 */

/** A rule a call breaks: `what` completes "<role> may not ...". */
export interface Violation {
  /** A stable rule id, such as `no-privileged`. */
  readonly rule: string
  /** What the call asked for, such as "create privileged containers". */
  readonly what: string
}

/** Thrown by the field readers; `checked` turns it into the `undecodable-field` violation. */
export class UnexpectedType extends Error {
  constructor (readonly path: string, readonly expected: string, readonly got: unknown) {
    super(`${path} is not ${expected}`)
  }
}

/** Wraps a rule so that a field of an unexpected type anywhere in it is reported, never skipped. */
export function checked<A extends unknown[]> (rule: (...args: A) => Violation | undefined): (...args: A) => Violation | undefined {
  return (...args) => {
    try {
      return rule(...args)
    } catch (err) {
      if (!(err instanceof UnexpectedType)) throw err
      return { rule: 'undecodable-field', what: `send ${err.path} as ${jsonType(err.got)} (the engine expects ${err.expected})` }
    }
  }
}

function jsonType (value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return `a ${typeof value}`
}
