/**
 * The source a login attempt is counted against: the TCP peer's address (never a forwarded-for
 * header, which the client writes), with IPv4-mapped IPv6 read as IPv4 and IPv6 grouped by its
 * /64, because one IPv6 host or customer is routinely given a whole /64 and could otherwise take a
 * fresh address for every guess.
 */
import { isIPv4, isIPv6 } from 'node:net'

/** Where connections with no address (a unix socket) are counted: all together. */
export const UNKNOWN_SOURCE = 'unknown'

const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** The eight 16-bit groups of an IPv6 address, as numbers (a trailing dotted IPv4 included). */
function hextets (address: string): number[] {
  let text = address
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)
  if (dotted !== null) {
    const [a, b, c, d] = (dotted[1] as string).split('.').map(Number) as [number, number, number, number]
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const parse = (part: string | undefined): number[] => part === undefined || part === '' ? [] : part.split(':').map((h) => parseInt(h, 16))
  const front = parse(head)
  const back = parse(tail)
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back]
}

/** The source group of a peer address: an IPv4 address as is, an IPv6 address as its /64. */
export function sourceGroup (address: string | undefined): string {
  if (address === undefined || address === '') return UNKNOWN_SOURCE
  const mapped = MAPPED_V4.exec(address)
  if (mapped !== null) return mapped[1] as string
  if (isIPv4(address)) return address
  const bare = address.replace(/%.*$/, '')
  if (!isIPv6(bare)) return UNKNOWN_SOURCE
  return `${hextets(bare).slice(0, 4).map((h) => h.toString(16)).join(':')}::/64`
}
