/**
 * Maps a failure to reach an upstream to the status and sentence the docker CLI shows:
 * unreachable is 502, timed out is 504, and the message names the upstream and the cause.
 */

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
const TIMED_OUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'])

/**
 * Failures of opening the connection, before a byte of the request could be written: the upstream
 * never saw the call, so it may be sent elsewhere whatever its method. ENOENT is a unix socket
 * whose file is gone; a socket file left by a killed engine refuses (ECONNREFUSED).
 */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])

/** True when `err` happened before the request was sent (the upstream cannot have acted on it). */
export function failedBeforeSending (err: Error & { code?: string }): boolean {
  return NOT_SENT.has(err.code ?? '')
}

export interface UpstreamFailure {
  readonly statusCode: 502 | 504
  readonly message: string
}

/** Describes why `upstreamName` could not be used, for a Docker-style error body. */
export function describeUpstreamError (err: Error & { code?: string }, upstreamName: string): UpstreamFailure {
  const code = err.code ?? ''
  if (TIMED_OUT.has(code)) return { statusCode: 504, message: `swarmgate: ${upstreamName} did not answer in time (${code})` }
  const why = UNREACHABLE.has(code) ? `cannot connect to ${upstreamName}` : `the call to ${upstreamName} failed`
  return { statusCode: 502, message: `swarmgate: ${why}: ${err.message}${code !== '' && !err.message.includes(code) ? ` (${code})` : ''}` }
}
