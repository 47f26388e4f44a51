/**
 * The checks a non-owner call goes through beyond its role's action table: what its body asks
 * the engine to do, and which existing object it targets. Each action that can reach the host or
 * swarmgate's own objects names the body and engine facts it needs; the gateway fetches them and
 * the check is a pure function of them.
 */
import type { Allowlists } from './policy-document.js'
import { REGISTRATION_LABELS } from '../registration-labels.js'
import type { Body, Call, FactKind, Facts } from './types.js'
import { field } from './go-json.js'
import {
  buildViolation, containerCreateViolation, containerUpdateViolation, execCreateViolation, hostConfigViolation,
  networkCreateViolation, reservedObjectViolation, serviceSpecViolation, volumeCreateViolation, type Violation
} from './rules/index.js'

export interface CheckInput {
  readonly call: Call
  readonly body: Body
  readonly facts: Facts
  readonly allow: Allowlists
}

export interface Check {
  readonly body: boolean
  readonly facts: readonly FactKind[]
  readonly check: (input: CheckInput) => Violation | undefined
}


const SWARMGATE_OBJECT: Violation = { rule: 'swarmgate-object', what: "change or enter swarmgate's own objects" }

function json (body: Body): unknown {
  return body.kind === 'json' ? body.value : undefined
}

/** Labels of an inspected object: `Config.Labels` for containers, `Spec.Labels` for swarm objects, `Labels` for the rest. */
function inspectedLabels (doc: unknown): unknown {
  return field(field(doc, 'Spec'), 'Labels') ?? field(field(doc, 'Config'), 'Labels') ?? field(doc, 'Labels')
}

function isSwarmgateObject (doc: unknown): boolean {
  const labels = inspectedLabels(doc)
  return typeof labels === 'object' && labels !== null && Object.hasOwn(labels, REGISTRATION_LABELS.component)
}

/**
 * An existing container a role enters (exec, attach, archive): refused when it belongs to swarmgate
 * or when the role could not have created it, since entering it gives what creating it would.
 * The inspect document carries what the engine filled in (default masked paths, the cgroup
 * namespace mode of cgroup v1 hosts, the runtime): only what a caller could have asked for is checked.
 */
export function enteredContainerViolation (container: unknown, allow: Allowlists): Violation | undefined {
  if (container === null || container === undefined) return undefined
  if (isSwarmgateObject(container)) return SWARMGATE_OBJECT
  const hostConfig = field(container, 'HostConfig')
  if (typeof hostConfig !== 'object' || hostConfig === null) return undefined
  const asked: Record<string, unknown> = { ...hostConfig as Record<string, unknown> }
  for (const filled of ['MaskedPaths', 'ReadonlyPaths']) {
    const value = asked[filled]
    // The engine lists its default masked paths; an empty list means they were switched off.
    if (!Array.isArray(value) || value.length > 0) delete asked[filled]
  }
  // The engine's defaults, which the owner sets on the daemon: not what a caller asked for.
  delete asked.CgroupnsMode
  delete asked.LogConfig
  if (asked.Runtime === 'runc') delete asked.Runtime
  // Binds as the caller gave them are in HostConfig; bind mounts made from Mounts are listed
  // in the inspect document's Mounts with their resolved source.
  const mounts = field(container, 'Mounts')
  if (Array.isArray(mounts)) asked.Mounts = mounts.filter((m) => field(m, 'Type') === 'bind').map((m) => ({ Type: 'bind', Source: field(m, 'Source'), Target: field(m, 'Destination') }))
  const violation = hostConfigViolation(asked, allow)
  return violation === undefined ? undefined : { rule: violation.rule, what: `enter a container it could not create (one that would ${violation.what})` }
}

const targetOnly = (kind: FactKind): Check => ({
  body: false,
  facts: [kind],
  check: ({ facts }) => isSwarmgateObject(facts[kind === 'swarm-objects' ? 'swarmObjects' : kind]) ? SWARMGATE_OBJECT : undefined
})

const entered: Check = { body: false, facts: ['container'], check: ({ facts, allow }) => enteredContainerViolation(facts.container, allow) }

const CONTAINER_TARGETED = [
  'delete', 'kill', 'stop', 'restart', 'pause', 'unpause', 'rename', 'resize', 'export', 'wait'
]
const ENTERED = ['attach', 'attach-ws', 'archive-get', 'archive-head', 'archive-put', 'copy']

/** The checks by action; an action not listed needs nothing beyond its role's action table. */
export const CHECKS: ReadonlyMap<string, Check> = new Map<string, Check>([
  ...CONTAINER_TARGETED.map((verb): [string, Check] => [`container.${verb}`, targetOnly('container')]),
  ...ENTERED.map((verb): [string, Check] => [`container.${verb}`, entered]),
  ['container.exec-create', {
    body: true,
    facts: ['container'],
    check: ({ body, facts, allow }) => execCreateViolation(json(body)) ?? enteredContainerViolation(facts.container, allow)
  }],
  ['container.create', {
    body: true,
    facts: [],
    check: ({ call, body, allow }) => containerCreateViolation(json(body), allow) ??
      reservedObjectViolation('container', call.query.get('name')?.[0], field(json(body), 'Labels'))
  }],
  // Below API 1.24 the engine applies a HostConfig sent with start (20.10 to 24 still do).
  ['container.start', {
    body: true,
    facts: ['container'],
    check: ({ body, facts, allow }) => (body.kind === 'json' ? hostConfigViolation(body.value, allow) ?? containerCreateViolation(body.value, allow) : undefined) ??
      (isSwarmgateObject(facts.container) ? SWARMGATE_OBJECT : undefined)
  }],
  // A commit makes an image of another container's filesystem: entering it, by other means.
  ['container.commit', { body: false, facts: ['container'], check: ({ call, facts, allow }) => enteredContainerViolation(facts.container, allow) ?? swarmgateImage(call.query.get('repo')?.[0]) }],
  ...['image.tag', 'image.pull'].map((action): [string, Check] => [action, { body: false, facts: [], check: ({ call }) => swarmgateImage(call.query.get(action === 'image.tag' ? 'repo' : 'fromImage')?.[0]) }]),
  ['container.update', {
    body: true,
    facts: ['container'],
    check: ({ body, facts, allow }) => containerUpdateViolation(json(body), allow) ?? (isSwarmgateObject(facts.container) ? SWARMGATE_OBJECT : undefined)
  }],
  ...['exec.start', 'exec.resize'].map((action): [string, Check] => [action, {
    body: false,
    facts: ['exec'],
    check: ({ facts, allow }) => {
      if (facts.exec === null || facts.exec === undefined) return undefined
      if (field(field(facts.exec.exec, 'ProcessConfig'), 'privileged') === true) return { rule: 'no-privileged', what: 'start privileged exec sessions' }
      return enteredContainerViolation(facts.exec.container, allow)
    }
  }]),
  ['service.create', {
    body: true,
    facts: ['swarm-objects'],
    check: ({ body, facts, allow }) => serviceViolation(json(body), facts, allow)
  }],
  ['service.update', {
    body: true,
    facts: ['service', 'swarm-objects'],
    check: ({ body, facts, allow }) => isSwarmgateObject(facts.service) ? SWARMGATE_OBJECT : serviceViolation(json(body), facts, allow)
  }],
  ['service.delete', targetOnly('service')],
  ...(['secret', 'config'] as const).flatMap((kind): Array<[string, Check]> => [
    [`${kind}.create`, { body: true, facts: [], check: ({ body }) => specReserved(kind, json(body)) }],
    [`${kind}.update`, { body: true, facts: [kind], check: ({ body, facts }) => isSwarmgateObject(facts[kind]) ? SWARMGATE_OBJECT : specReserved(kind, json(body)) }],
    [`${kind}.delete`, targetOnly(kind)]
  ]),
  ['network.create', { body: true, facts: [], check: ({ body }) => networkCreateViolation(json(body)) ?? specReserved('network', json(body)) }],
  ...['network.delete', 'network.connect', 'network.disconnect'].map((action): [string, Check] => [action, targetOnly('network')]),
  ['volume.create', { body: true, facts: [], check: ({ body }) => volumeCreateViolation(json(body)) ?? specReserved('volume', json(body)) }],
  ...['volume.delete', 'volume.update'].map((action): [string, Check] => [action, targetOnly('volume')]),
  ['build', { body: false, facts: [], check: ({ call }) => buildViolation(call.query) ?? (call.query.get('t') ?? []).map(swarmgateImage).find((v) => v !== undefined) }]
])

/**
 * swarmgate's own images: a task of server-proxy restarted on a node runs whatever image carries
 * its tag there, with the swarm's secrets and the engine socket, so no other role may put an image
 * under that name (`docker load` of a tar that names it cannot be seen without reading the tar:
 * docs/authorization.md says so).
 */
function swarmgateImage (reference: string | undefined): Violation | undefined {
  const name = (reference ?? '').toLowerCase().replace(/^(docker\.io\/|index\.docker\.io\/)/, '')
  return name.startsWith('swarmgate/') ? { rule: 'swarmgate-object', what: "put images under swarmgate's own names (swarmgate/...)" } : undefined
}

function specReserved (kind: string, spec: unknown): Violation | undefined {
  return reservedObjectViolation(kind, asString(field(spec, 'Name')), field(spec, 'Labels'))
}

function serviceViolation (spec: unknown, facts: Facts, allow: Allowlists): Violation | undefined {
  const swarm = facts.swarmObjects ?? { protectedIds: new Set<string>(), protectedNames: new Set<string>(), hostNetworkId: undefined }
  return serviceSpecViolation(spec, allow, swarm) ?? specReserved('service', spec) ??
    reservedObjectViolation('container', undefined, field(field(field(spec, 'TaskTemplate'), 'ContainerSpec'), 'Labels'))
}

function asString (value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}
