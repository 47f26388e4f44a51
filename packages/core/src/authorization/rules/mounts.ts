/**
 * What a container or a service task mounts: Binds (`source:target[:mode]`, read as
 * volume/mounts/linux_parser.go reads them), Mounts (api/types/mount), and local volumes whose
 * driver options mount something of the host's. Allowed: named and anonymous volumes of the local
 * driver, tmpfs, and bind mounts of allowlisted host paths.
 */
import type { Allowlists } from '../policy-document.js'
import type { Doc } from './fields.js'
import { allowlistedSource } from './host-paths.js'
import { reservedLabelsViolation } from './reserved.js'
import type { Violation } from './violation.js'

/** The local driver's volume names (volume/local: validName); any other source of a bind is a host path. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

/** Local volume types that mount nothing of the host's: a tmpfs, or a share over the network. */
const LOCAL_VOLUME_TYPES: ReadonlySet<string> = new Set(['tmpfs', 'nfs', 'nfs4', 'cifs'])

/** Mount options (moby/sys/mount flags) that make the mount take an existing host path or mount. */
const HOST_MOUNT_FLAGS: ReadonlySet<string> = new Set(['bind', 'rbind', 'remount', 'move'])

/** The first bind whose source is a host path outside the allowlist. */
export function bindsViolation (binds: readonly string[], allow: Allowlists, where: string): Violation | undefined {
  for (const [i, bind] of binds.entries()) {
    // The engine splits on every colon (at most two); a lone part is a target: an anonymous volume.
    const parts = bind.split(':')
    const source = parts[0] ?? ''
    if (parts.length < 2 || VOLUME_NAME.test(source)) continue
    const violation = hostPathViolation(source, allow, `${where}[${i}]`)
    if (violation !== undefined) return violation
  }
  return undefined
}

/** The first mount that binds a host path outside the allowlist, makes a volume that does, or is of another type. */
export function mountsViolation (mounts: readonly Doc[], allow: Allowlists): Violation | undefined {
  for (const mount of mounts) {
    const type = mount.string('Type')
    if (type === 'bind') {
      const violation = hostPathViolation(mount.string('Source') ?? '', allow, mount.path)
      if (violation !== undefined) return violation
    } else if (type === 'volume') {
      // Options and labels apply when the volume does not exist yet and the engine creates it.
      const options = mount.object('VolumeOptions')
      const driver = options.object('DriverConfig')
      const violation = volumeDriverViolation(driver.string('Name'), driver.path) ??
        localVolumeOptionsViolation(driver.stringMap('Options'), driver.path) ??
        reservedLabelsViolation('volume', options.stringMap('Labels'))
      if (violation !== undefined) return violation
    } else if (type !== 'tmpfs') {
      return { rule: 'no-mount-type', what: `use mounts of type ${JSON.stringify(type ?? '')} (${mount.path}: only volume, tmpfs and allowlisted bind mounts)` }
    }
  }
  return undefined
}

/** A volume driver other than the engine's own local driver (any other is a plugin, and may reach the host). */
export function volumeDriverViolation (driver: string | undefined, where: string): Violation | undefined {
  if (driver === undefined || driver === '' || driver === 'local') return undefined
  return { rule: 'no-volume-driver', what: `use the volume driver ${driver} (${where}: only local)` }
}

/**
 * Options of the local driver (volume/local: type, device, o, size) that mount a host path or
 * device: `o=bind`, a file system type other than tmpfs or a network share (ext4 on /dev/sda1,
 * overlay with lowerdir=/etc...). Keys are compared in any case: the engine refuses other
 * spellings anyway.
 */
export function localVolumeOptionsViolation (options: ReadonlyArray<readonly [string, string]>, where: string): Violation | undefined {
  const get = (key: string): string | undefined => options.find(([k]) => k.toLowerCase() === key)?.[1]
  const type = get('type')
  const device = get('device')
  const flags = get('o')
  if (type === undefined && device === undefined && flags === undefined) return undefined
  const hostFlag = (flags ?? '').split(',').map((f) => f.trim().toLowerCase()).find((f) => HOST_MOUNT_FLAGS.has(f))
  if (hostFlag !== undefined) return { rule: 'no-host-volume', what: `create volumes that mount a host path (${where}: o=${hostFlag})` }
  if (type === undefined || !LOCAL_VOLUME_TYPES.has(type.toLowerCase())) {
    return { rule: 'no-host-volume', what: `create volumes that mount a host device or file system (${where}: type=${type ?? ''}, device=${device ?? ''}; only tmpfs, nfs, nfs4, cifs)` }
  }
  return undefined
}

function hostPathViolation (source: string, allow: Allowlists, where: string): Violation | undefined {
  if (allowlistedSource(source, allow.bindSources)) return undefined
  return { rule: 'no-host-bind', what: `bind-mount the host path ${JSON.stringify(source)} (${where}: not under an allowlisted source)` }
}
