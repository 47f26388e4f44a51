/**
 * The one error base class of swarmgate. Every failure a program reports carries a stable string
 * `code` (SG_ERR_<AREA>_<WHAT>) that callers and tests match on, never the message text, and an
 * optional HTTP status for failures that end up as a Docker-style `{"message": ...}` response.
 */
export class SwarmgateError extends Error {
  readonly code: string
  readonly statusCode: number | undefined

  constructor (code: string, message: string, options: { statusCode?: number, cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SwarmgateError'
    this.code = code
    this.statusCode = options.statusCode
  }
}

/** Declares a family of errors with fixed codes; `codes` is the single list a package keeps. */
export function defineErrors<const T extends Record<string, { message: string, statusCode?: number }>> (codes: T): {
  [K in keyof T & string]: (detail?: string, cause?: unknown) => SwarmgateError
} {
  const out: Record<string, (detail?: string, cause?: unknown) => SwarmgateError> = {}
  for (const [code, def] of Object.entries(codes)) {
    out[code] = (detail?: string, cause?: unknown) => new SwarmgateError(
      code,
      detail === undefined ? def.message : `${def.message}: ${detail}`,
      def.statusCode === undefined ? { cause } : { statusCode: def.statusCode, cause }
    )
  }
  return out as { [K in keyof T & string]: (detail?: string, cause?: unknown) => SwarmgateError }
}

/** True when `err` is a SwarmgateError carrying `code`. */
export function hasCode (err: unknown, code: string): err is SwarmgateError {
  return err instanceof SwarmgateError && err.code === code
}
