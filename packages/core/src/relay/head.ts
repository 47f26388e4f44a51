/** Request heads as bytes, for a relay that re-writes a header or two and passes the rest as received. */

/** The head `method target version` with `rawHeaders` (flat name, value pairs), blank line included. */
export function buildHead (parts: readonly [string, string, string], rawHeaders: readonly string[]): Buffer {
  let text = `${parts[0]} ${parts[1]} ${parts[2]}\r\n`
  for (let i = 0; i < rawHeaders.length; i += 2) text += `${rawHeaders[i] as string}: ${rawHeaders[i + 1] as string}\r\n`
  // latin1 both ways: header bytes outside ASCII come back out exactly as they came in.
  return Buffer.from(`${text}\r\n`, 'latin1')
}
