// The rules that find host escapes in decoded request bodies: each returns the first violation, or undefined.
export type { Violation } from './violation.js'
export { containerCreateViolation, containerUpdateViolation, execCreateViolation, hostConfigViolation } from './container-config.js'
export { serviceSpecViolation, type SwarmObjects } from './service-spec.js'
export { volumeCreateViolation } from './volume.js'
export { networkCreateViolation } from './network.js'
export { buildViolation } from './build.js'
export { reservedObjectViolation } from './reserved.js'
