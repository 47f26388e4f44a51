/**
 * The engine's multiplexed stream format for non-TTY attach, exec and logs: frames of an 8-byte
 * header (stream type, three zero bytes, big-endian length) followed by that many bytes.
 */

/** Splits a complete multiplexed body into standard output and standard error. */
export function demultiplex (body: Buffer): { stdout: Buffer, stderr: Buffer } {
  const out: Buffer[] = []
  const err: Buffer[] = []
  let at = 0
  while (at + 8 <= body.length) {
    const type = body[at]
    const size = body.readUInt32BE(at + 4)
    const chunk = body.subarray(at + 8, at + 8 + size)
    if (type === 2) err.push(chunk)
    else out.push(chunk)
    at += 8 + size
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) }
}
