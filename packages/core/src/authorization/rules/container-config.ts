/**
 * Container bodies: POST /containers/create (runconfig's ContainerConfigWrapper), the HostConfig
 * of a container that exists (inspect), POST /containers/{id}/update (container.UpdateConfig) and
 * POST /containers/{id}/exec (ExecConfig): everything in them that reaches the host.
 */
import type { Allowlists } from '../policy-document.js'
import { capAddViolation } from './capabilities.js'
import { Doc } from './fields.js'
import { bindsViolation, mountsViolation, volumeDriverViolation } from './mounts.js'
import { checked, type Violation } from './violation.js'

/** The namespaces a HostConfig can share: with the host (`host`) or with another container (`container:<id>`). */
const NAMESPACES: ReadonlyArray<readonly [string, string]> = [
  ['NetworkMode', 'network'], ['PidMode', 'PID'], ['IpcMode', 'IPC'], ['UTSMode', 'UTS'],
  ['UsernsMode', 'user'], ['CgroupnsMode', 'cgroup'], ['Cgroup', 'cgroup']
]

/** Log drivers that write where the engine keeps them; the others send from the host to an address or socket the caller names. */
const LOG_DRIVERS: ReadonlySet<string> = new Set(['', 'json-file', 'local', 'journald', 'none'])

/** Runtimes other than runc are the owner's to choose (some run containers with fewer walls). */
const RUNTIMES: ReadonlySet<string> = new Set(['', 'runc'])

/**
 * The body of POST /containers/create. The engine also reads HostConfig fields at the top level
 * (the wrapper embeds a deprecated HostConfig, used when the body has no `HostConfig` key or it is
 * null; 20.10 creates a privileged container from `{"Image":"x","Privileged":true}`): both places
 * are checked and either refuses. The same wrapper is what POST /containers/{id}/start reads from a
 * body on API versions before 1.24, so this check applies there too.
 */
export const containerCreateViolation = checked((body: unknown, allow: Allowlists): Violation | undefined => {
  const wrapper = Doc.of(body, '')
  return hostConfigDocViolation(wrapper.object('HostConfig'), allow) ??
    hostConfigDocViolation(wrapper, allow) ??
    endpointsViolation(wrapper.object('NetworkingConfig'))
})

/** A HostConfig, from a create body or from an existing container's inspect document. */
export const hostConfigViolation = checked((hostConfig: unknown, allow: Allowlists): Violation | undefined =>
  hostConfigDocViolation(Doc.of(hostConfig, 'HostConfig'), allow))

/**
 * The body of POST /containers/{id}/update: Resources and a restart policy. Only devices and the
 * cgroup parent reach the host there. `_allow` keeps the signature of the other container checks:
 * nothing an update can change is allowlisted.
 */
export const containerUpdateViolation = checked((body: unknown, _allow: Allowlists): Violation | undefined =>
  resourcesViolation(Doc.of(body, '')))

/** The body of POST /containers/{id}/exec. */
export const execCreateViolation = checked((body: unknown): Violation | undefined =>
  Doc.of(body, '').bool('Privileged') ? { rule: 'no-privileged', what: 'start privileged exec sessions' } : undefined)

function hostConfigDocViolation (hc: Doc, allow: Allowlists): Violation | undefined {
  if (hc.bool('Privileged')) return { rule: 'no-privileged', what: 'create privileged containers' }
  for (const [name, namespace] of NAMESPACES) {
    const mode = (hc.string(name) ?? '').toLowerCase()
    if (mode === 'host') return { rule: 'no-host-namespace', what: `use the host's ${namespace} namespace (${hc.at(name)})` }
    if (mode.startsWith('container:')) {
      return { rule: 'no-container-namespace', what: `join another container's ${namespace} namespace (${hc.at(name)}: that container may be privileged or in the host's)` }
    }
  }
  if (hc.nonEmptyList('VolumesFrom')) return { rule: 'no-volumes-from', what: `copy another container's volumes and bind mounts (${hc.at('VolumesFrom')})` }
  hc.strSlice('CapDrop')
  if (hc.has('Capabilities')) return { rule: 'no-capability', what: `set the whole capability set (${hc.at('Capabilities')})` }
  // Sysctls are read for their type only: the engine and runc accept only namespaced ones
  // (kernel.shm*, kernel.msg*, fs.mqueue.*, net.* outside the host's network namespace).
  hc.stringMap('Sysctls')
  if (hc.has('MaskedPaths') || hc.has('ReadonlyPaths')) {
    return { rule: 'no-system-paths', what: `unmask the kernel's paths under /proc and /sys (${hc.at('MaskedPaths')}, ${hc.at('ReadonlyPaths')})` }
  }
  const runtime = hc.string('Runtime') ?? ''
  if (!RUNTIMES.has(runtime)) return { rule: 'no-runtime', what: `use the runtime ${runtime} (${hc.at('Runtime')}: only runc)` }
  return bindsViolation(hc.strings('Binds'), allow, hc.at('Binds')) ??
    mountsViolation(hc.objects('Mounts'), allow) ??
    volumeDriverViolation(hc.string('VolumeDriver'), hc.at('VolumeDriver')) ??
    capAddViolation(hc.strSlice('CapAdd'), allow, hc.at('CapAdd')) ??
    securityOptViolation(hc.strings('SecurityOpt'), hc.at('SecurityOpt')) ??
    resourcesViolation(hc) ??
    logDriverViolation(hc.object('LogConfig').string('Type'), hc.at('LogConfig.Type'))
}

/** Devices and the cgroup parent, in a HostConfig or an UpdateConfig (both embed Resources). */
function resourcesViolation (resources: Doc): Violation | undefined {
  for (const name of ['Devices', 'DeviceRequests', 'DeviceCgroupRules']) {
    if (resources.nonEmptyList(name)) return { rule: 'no-devices', what: `give containers host devices (${resources.at(name)})` }
  }
  if ((resources.string('CgroupParent') ?? '') !== '') {
    return { rule: 'no-cgroup-parent', what: `place containers in a cgroup of their choice (${resources.at('CgroupParent')})` }
  }
  return undefined
}

/**
 * Security options as daemon/daemon_unix.go parseSecurityOpt reads them (`key=value`, or the old
 * `key:value`). Only no-new-privileges (either way) and AppArmor's default profile pass: every
 * label, seccomp and other apparmor value switches off or replaces a confinement.
 */
function securityOptViolation (options: readonly string[], where: string): Violation | undefined {
  for (const option of options) {
    const cut = option.includes('=') ? option.indexOf('=') : option.indexOf(':')
    const key = cut === -1 ? option : option.slice(0, cut)
    const value = cut === -1 ? undefined : option.slice(cut + 1)
    if (key === 'no-new-privileges') continue
    if (key === 'apparmor' && value === 'docker-default') continue
    return { rule: 'no-security-opt', what: `set the security option ${JSON.stringify(option)} (${where}: only no-new-privileges)` }
  }
  return undefined
}

/** A log driver other than the engine's files and journal (containers and service tasks). */
export function logDriverViolation (driver: string | undefined, where: string): Violation | undefined {
  if (LOG_DRIVERS.has(driver ?? '')) return undefined
  return { rule: 'no-log-driver', what: `send logs through the ${driver ?? ''} log driver (${where}: it writes from the host to an address or socket the caller names)` }
}

/** NetworkingConfig.EndpointsConfig naming the host's network. */
function endpointsViolation (networking: Doc): Violation | undefined {
  const host = networking.keys('EndpointsConfig').find((name) => name.toLowerCase() === 'host')
  if (host === undefined) return undefined
  return { rule: 'no-host-namespace', what: `connect containers to the host's network (NetworkingConfig.EndpointsConfig.${host})` }
}
