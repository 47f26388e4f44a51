/**
 * POST /volumes/create: the local driver only (any other is a plugin), with options that mount
 * nothing of the host's. Its name and labels are checked with the other reserved objects.
 */
import { Doc } from './fields.js'
import { localVolumeOptionsViolation, volumeDriverViolation } from './mounts.js'
import { checked, type Violation } from './violation.js'

/** The body of POST /volumes/create. */
export const volumeCreateViolation = checked((body: unknown): Violation | undefined => {
  const volume = Doc.of(body, '')
  return volumeDriverViolation(volume.string('Driver'), volume.at('Driver')) ??
    localVolumeOptionsViolation(volume.stringMap('DriverOpts'), volume.at('DriverOpts'))
})
