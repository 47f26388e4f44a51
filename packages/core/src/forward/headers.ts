/**
 * Header handling for the forwarder. Headers travel as Node's flat `rawHeaders` arrays
 * ([name, value, name, value, ...]) so duplicates, order and exact values survive: BuildKit reads
 * repeated X-Docker-Expose-Session-Grpc-Method headers one by one, and Node's parsed `headers`
 * object would join them with ", ".
 */

/**
 * The largest request or response head the proxies accept: dockerd's own limit (Go's
 * http.DefaultMaxHeaderBytes). `docker build` sends every saved registry login in
 * X-Registry-Config, which outgrows Node's 16 KiB default with a few cloud registries; the
 * chain reset such a call while the engine socket answered it.
 */
export const MAX_HEADER_BYTES = 1024 * 1024

/**
 * Connection-scoped headers that one hop must not pass to the next (RFC 9110 §7.6.1), and
 * `Expect`: node:http has already answered `100-continue` to the client itself, and undici refuses
 * to send the header (an upload from curl, which sends it for large bodies, failed with 502).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect'])

/** Returns raw headers without hop-by-hop ones, those the Connection header names, and `drop`. */
export function endToEndHeaders (raw: readonly string[], drop: ReadonlySet<string> = new Set()): string[] {
  const named = new Set<string>()
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'connection') {
      for (const token of (raw[i + 1] as string).split(',')) named.add(token.trim().toLowerCase())
    }
  }
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase()
    if (HOP_BY_HOP.has(name) || named.has(name) || drop.has(name)) continue
    out.push(raw[i] as string, raw[i + 1] as string)
  }
  return out
}

/** Returns raw headers without the names in `drop`, everything else exactly as received. */
export function withoutHeaders (raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const out: string[] = []
  for (let i = 0; i < raw.length; i += 2) {
    if (!drop.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string)
  }
  return out
}

/** The value of the first header called `name` (lower case), or undefined. */
export function headerValue (raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === name) return raw[i + 1]
  }
  return undefined
}
