/**
 * POST /networks/create: bridge and overlay networks only. macvlan and ipvlan put containers on the
 * host's LAN, `host` is the host's own stack, other drivers and IPAM drivers are plugins; a bridge
 * named after an existing interface (com.docker.network.bridge.name) takes over that interface.
 * An ingress network would replace the swarm's routing mesh. Its name and labels are checked with
 * the other reserved objects; ConfigFrom only copies a config-only network someone could create.
 */
import { Doc } from './fields.js'
import { checked, type Violation } from './violation.js'

const DRIVERS: ReadonlySet<string> = new Set(['', 'bridge', 'overlay'])
const IPAM_DRIVERS: ReadonlySet<string> = new Set(['', 'default'])
const BRIDGE_NAME = 'com.docker.network.bridge.name'

/** The body of POST /networks/create. */
export const networkCreateViolation = checked((body: unknown): Violation | undefined => {
  const network = Doc.of(body, '')
  const driver = network.string('Driver') ?? ''
  if (!DRIVERS.has(driver)) return { rule: 'no-network-driver', what: `create ${driver} networks (${network.at('Driver')}: only bridge and overlay)` }
  const ipam = network.object('IPAM')
  const ipamDriver = ipam.string('Driver') ?? ''
  if (!IPAM_DRIVERS.has(ipamDriver)) return { rule: 'no-network-driver', what: `use the IPAM driver ${ipamDriver} (${ipam.at('Driver')}: only the default)` }
  ipam.stringMap('Options')
  if (network.stringMap('Options').some(([key]) => key.toLowerCase() === BRIDGE_NAME)) {
    return { rule: 'no-host-interface', what: `name the host interface of a bridge network (${network.at('Options')}.${BRIDGE_NAME})` }
  }
  if (network.bool('Ingress')) return { rule: 'no-ingress-network', what: "create an ingress network (the swarm's routing mesh)" }
  return undefined
})
