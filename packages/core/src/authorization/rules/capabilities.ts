/**
 * Added capabilities, normalised as the engine normalises them (oci/caps: upper case, a `CAP_`
 * prefix added when missing, `ALL` for every capability), against Docker's default set and the
 * owner's allowlist. Dropping is always fine; `Capabilities` (API 1.40) replaces the whole set.
 */
import { normalizeCapability, type Allowlists } from '../policy-document.js'
import type { Violation } from './violation.js'

/** What every container gets unless it drops them (moby oci/caps/defaults.go). */
const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE'
])

/** The first added capability beyond the default set and the allowlist. */
export function capAddViolation (added: readonly string[], allow: Allowlists, where: string): Violation | undefined {
  for (const cap of added) {
    // JavaScript's toUpperCase differs from Go's only on letters that never make a valid name.
    const name = normalizeCapability(cap)
    if (name === 'ALL') return { rule: 'no-capability', what: `add every capability (${where})` }
    if (!DEFAULT_CAPABILITIES.has(name) && !allow.capabilities.some((c) => normalizeCapability(c) === name)) {
      return { rule: 'no-capability', what: `add the capability CAP_${name} (${where}: only Docker's default set and the owner's allowlist)` }
    }
  }
  return undefined
}
