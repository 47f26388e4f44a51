/**
 * Attackers on source addresses of their own: one network namespace per attacker, each joined to
 * this machine by a veth pair, on a /24 of 10.0.0.0/8 chosen at run time among those no address
 * or route of this machine touches. Connections from the same machine would all come from one
 * address (issue 11), which per-source defences cannot tell apart. Root and `ip` are needed.
 */
import { randomInt } from 'node:crypto'
import { run, runChecked } from '../testbed/index.js'

export interface AttackerNetwork {
  /** This machine's end of the first pair: where the server under attack listens. */
  readonly hostAddress: string
  readonly attackers: ReadonlyArray<{ readonly namespace: string, readonly address: string }>
  /** Removes the namespaces and veth pairs (idempotent). */
  remove (): Promise<void>
}

/** Whether this machine lets the test create namespaces (root, `ip`). */
export async function canCreateNamespaces (): Promise<boolean> {
  return process.getuid?.() === 0 && (await run('ip', ['netns', 'list']).catch(() => undefined))?.code === 0
}

function toNumber (address: string): number {
  return address.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

/** IPv4 prefixes this machine already has an address or a route in. */
async function usedPrefixes (): Promise<Array<{ base: number, bits: number }>> {
  const text = (await runChecked('ip', ['-4', '-o', 'addr', 'show'])) + (await runChecked('ip', ['-4', 'route', 'show', 'table', 'all']))
  return [...text.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)].map((m) => ({ base: toNumber(m[1] ?? '0.0.0.0'), bits: m[2] === undefined ? 32 : Number(m[2]) }))
}

function overlaps (a: { base: number, bits: number }, b: { base: number, bits: number }): boolean {
  const bits = Math.min(a.bits, b.bits)
  if (bits === 0) return false // the default route is no address range in use
  const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0
  return ((a.base & mask) >>> 0) === ((b.base & mask) >>> 0)
}

/** Creates `count` attacker namespaces, pair i: this machine 10.a.b.(8i+1)/29, the namespace 10.a.b.(8i+2)/29. */
export async function createAttackerNetwork (count: number): Promise<AttackerNetwork> {
  const used = await usedPrefixes()
  let prefix: string | undefined
  for (let tries = 0; tries < 50 && prefix === undefined; tries++) {
    const candidate = `10.${randomInt(200, 250)}.${randomInt(0, 256)}`
    if (!used.some((u) => overlaps(u, { base: toNumber(`${candidate}.0`), bits: 24 }))) prefix = candidate
  }
  if (prefix === undefined) throw new Error('no unused 10.x.y.0/24 found for the attacker namespaces')
  const tag = `sgh${process.pid % 100_000}`
  const attackers = Array.from({ length: count }, (_, i) => ({ namespace: `${tag}-a${i}`, address: `${prefix}.${8 * i + 2}`, hostEnd: `${tag}h${i}`, nsEnd: `${tag}n${i}`, gateway: `${prefix}.${8 * i + 1}` }))
  const remove = async (): Promise<void> => {
    // Deleting a namespace deletes its end of the pair, and with it this machine's end.
    for (const a of attackers) {
      await run('ip', ['netns', 'del', a.namespace]).catch(() => {})
      await run('ip', ['link', 'del', a.hostEnd]).catch(() => {})
    }
  }
  try {
    for (const a of attackers) {
      await runChecked('ip', ['netns', 'add', a.namespace])
      await runChecked('ip', ['link', 'add', a.hostEnd, 'type', 'veth', 'peer', 'name', a.nsEnd])
      await runChecked('ip', ['link', 'set', a.nsEnd, 'netns', a.namespace])
      await runChecked('ip', ['addr', 'add', `${a.gateway}/29`, 'dev', a.hostEnd])
      await runChecked('ip', ['link', 'set', a.hostEnd, 'up'])
      const inNs = async (...args: string[]): Promise<string> => await runChecked('ip', ['netns', 'exec', a.namespace, 'ip', ...args])
      await inNs('addr', 'add', `${a.address}/29`, 'dev', a.nsEnd)
      await inNs('link', 'set', a.nsEnd, 'up')
      await inNs('link', 'set', 'lo', 'up')
      await inNs('route', 'add', 'default', 'via', a.gateway)
    }
  } catch (err) {
    await remove()
    throw err
  }
  const first = attackers[0]
  if (first === undefined) throw new Error('at least one attacker is needed')
  return { hostAddress: first.gateway, attackers: attackers.map(({ namespace, address }) => ({ namespace, address })), remove }
}
