/**
 * swarmgate's own names and labels. Registration finds server-proxy's identity (its secrets, its
 * service, its network) by these labels: an object another role made with them could be taken
 * for swarmgate's own, and a secret so labelled could plant an owner account.
 * `io.swarmgate.test` (the test bed's clean-up label) is not reserved.
 */
import { REGISTRATION_LABELS } from '../../registration-labels.js'
import { stringEntries } from './fields.js'
import { checked, UnexpectedType, type Violation } from './violation.js'

/** The labels registration sets and reads. */
const RESERVED_LABELS: ReadonlySet<string> = new Set(Object.values(REGISTRATION_LABELS))

const RESERVED_PREFIX = 'swarmgate-'

/** A name or label reserved to swarmgate on an object a call creates or relabels (`kind`: container, service, secret...). */
export const reservedObjectViolation = checked((kind: string, name: unknown, labels: unknown): Violation | undefined => {
  if (name !== undefined && name !== null) {
    if (typeof name !== 'string') throw new UnexpectedType('Name', 'a string', name)
    // Container names may start with a slash; engine filters match names without regard to case.
    if (reservedName(name.replace(/^\//, ''))) {
      return { rule: 'swarmgate-reserved', what: `create ${kind}s named ${RESERVED_PREFIX}* (reserved to swarmgate)` }
    }
  }
  return reservedLabelsViolation(kind, stringEntries(labels, 'Labels'))
})

/** A label reserved to swarmgate among `labels`. */
export function reservedLabelsViolation (kind: string, labels: ReadonlyArray<readonly [string, string]>): Violation | undefined {
  for (const [key] of labels) {
    if (RESERVED_LABELS.has(key.toLowerCase())) return { rule: 'swarmgate-reserved', what: `label ${kind}s with ${key} (reserved to swarmgate)` }
  }
  return undefined
}

/** True for a name under swarmgate's prefix (its service, network and secrets), in any case. */
export function reservedName (name: string): boolean {
  return name.toLowerCase().startsWith(RESERVED_PREFIX)
}
