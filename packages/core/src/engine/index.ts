// The Docker Engine API client registration and client share.
export { engineAddress, engineConnectionOptions, DEFAULT_ENGINE_SOCKET, type EngineAddress, type EngineAddressOptions } from './address.js'
export { EngineClient, ENGINE_API_VERSION, compareApiVersions } from './client.js'
export { engineErrors } from './errors.js'
export { demultiplex } from './multiplexed.js'
export type * from './types.js'
export { parseLabels } from './labels.js'
