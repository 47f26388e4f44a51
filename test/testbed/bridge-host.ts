/**
 * The address at which a container on the engine's default bridge network reaches this machine.
 * The engine does not always say: Docker 20.10 records the bridge's gateway in its IPAM config
 * only when it was given one (--bip) or found the bridge interface already there at start, so on
 * a machine where the engine ran for the first time `docker network inspect bridge` shows the
 * Subnet alone. The address is then the bridge interface's own (what the engine assigned), and
 * failing that the Subnet's first address, where the engine puts a gateway it allocates itself.
 */
import { createServer } from 'node:net'
import { BUSYBOX_IMAGE } from './busybox.js'
import { dockerJson, runDocker } from './docker.js'
import { errors } from './errors.js'
import { LABEL_ARGS } from './labels.js'
import { run } from './process.js'

export interface BridgeHost {
  readonly address: string
  /** Where the address came from, for failure messages. */
  readonly source: string
}

/** One entry of `docker network inspect bridge`'s IPAM.Config. */
export interface IpamEntry {
  readonly Subnet?: string
  readonly Gateway?: string
}

/** Network interfaces' IPv4 addresses, by interface name. */
export type InterfaceAddresses = Readonly<Record<string, readonly string[] | undefined>>

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function toInt (address: string): number | undefined {
  const m = IPV4.exec(address)
  if (m === null) return undefined
  const octets = m.slice(1).map(Number)
  if (octets.some((o) => o > 255)) return undefined
  return octets.reduce((n, o) => n * 256 + o, 0)
}

function toAddress (n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
}

/** An IPv4 subnet as its network number and size, or undefined for IPv6 or nonsense. */
function parseSubnet (subnet: string): { network: number, size: number } | undefined {
  const [address = '', bits = ''] = subnet.split('/')
  const base = toInt(address)
  const prefix = Number(bits)
  if (base === undefined || !/^\d+$/.test(bits) || prefix > 30) return undefined
  const size = 2 ** (32 - prefix)
  return { network: base - (base % size), size }
}

/**
 * Chooses the address from what the engine and the kernel report: the IPv4 entry's Gateway, else
 * the bridge interface's address inside that Subnet, else the Subnet's first address.
 */
export function chooseBridgeHost (ipam: readonly IpamEntry[], bridgeName: string, interfaces: InterfaceAddresses): BridgeHost {
  const entry = ipam.find((e) => e.Subnet !== undefined && parseSubnet(e.Subnet) !== undefined)
  if (entry?.Subnet === undefined) {
    throw errors.SG_ERR_TESTBED_BRIDGE(`the default bridge network has no IPv4 subnet (IPAM.Config ${JSON.stringify(ipam)}); start dockerd without --bridge=none, with an IPv4 bridge`)
  }
  const subnet = parseSubnet(entry.Subnet) as { network: number, size: number }
  if (entry.Gateway !== undefined && entry.Gateway !== '') {
    return { address: entry.Gateway, source: `the bridge network's IPAM Gateway (Subnet ${entry.Subnet})` }
  }
  const inside = (interfaces[bridgeName] ?? []).find((a) => {
    const n = toInt(a)
    return n !== undefined && n - subnet.network >= 0 && n - subnet.network < subnet.size
  })
  if (inside !== undefined) {
    return { address: inside, source: `the ${bridgeName} interface (the bridge network's IPAM shows Subnet ${entry.Subnet} without Gateway)` }
  }
  return {
    address: toAddress(subnet.network + 1),
    source: `the first address of Subnet ${entry.Subnet} (no IPAM Gateway, and no ${bridgeName} interface with an address in it here)`
  }
}

/** The address this machine has on the engine's default bridge, read now from the engine and the kernel. */
export async function readBridgeHost (): Promise<BridgeHost> {
  const network = await dockerJson<{ IPAM: { Config: IpamEntry[] | null }, Options: Record<string, string> | null }>(['network', 'inspect', 'bridge', '--format', '{{json .}}'])
    .catch((err: Error) => { throw errors.SG_ERR_TESTBED_BRIDGE(`the engine has no default bridge network (was dockerd started with --bridge=none?): ${err.message}`, err) })
  // The interface is docker0 unless dockerd was started with --bridge=<another>. `ip`, not
  // os.networkInterfaces(): that leaves out a bridge without containers (no carrier, not RUNNING).
  const bridgeName = network.Options?.['com.docker.network.bridge.name'] ?? 'docker0'
  const shown = await run('ip', ['-j', '-4', 'addr', 'show', 'dev', bridgeName])
  const links = shown.code === 0 ? JSON.parse(shown.stdout) as Array<{ addr_info?: Array<{ local?: string }> }> : []
  const addresses = links.flatMap((l) => l.addr_info ?? []).flatMap((a) => a.local === undefined ? [] : [a.local])
  return chooseBridgeHost(network.IPAM.Config ?? [], bridgeName, { [bridgeName]: addresses })
}

const PROBE_ANSWER = 'swarmgate bridge probe'

/**
 * readBridgeHost(), proven: a busybox container on the default bridge connects to a port this
 * process listens on at that address and reads what it sends. A failure names the address, where
 * it came from and what went wrong, before any test builds on it.
 */
export async function bridgeHost (): Promise<BridgeHost> {
  const host = await readBridgeHost()
  const why = (detail: string): Error => errors.SG_ERR_TESTBED_BRIDGE(`this machine at ${host.address} (from ${host.source}): ${detail}`)
  const server = createServer((socket) => { socket.end(PROBE_ANSWER) })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => { reject(why(`cannot listen there: ${err.message}`)) })
    server.listen(0, host.address, resolve)
  })
  try {
    const { port } = server.address() as { port: number }
    const r = await runDocker(['run', '--rm', ...LABEL_ARGS, BUSYBOX_IMAGE, 'nc', '-w', '10', host.address, String(port)], { timeoutMs: 60_000 })
    if (r.stdout !== PROBE_ANSWER) throw why(`a container on the default bridge could not connect to port ${port} (exit ${String(r.code)}: ${r.stderr.trim()}); check the host firewall's INPUT rules for the bridge interface`)
  } finally {
    server.close()
  }
  return host
}
