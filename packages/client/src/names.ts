/**
 * Names and labels the client gives what it creates: the contract with journey.md (container name),
 * with the client-proxy image (its user owns the saved files) and with `ls`/`rm` (labels).
 */
import { parseSwarmName } from '@swarmgate/core'
import { errors } from './errors.js'

export const LABELS = {
  component: 'io.swarmgate.component',
  /** On proxy containers: the swarm, such as alice/prod. */
  swarm: 'io.swarmgate.swarm',
  /** On proxy containers: a hash of the settings it was made with, to tell whether it can be reused. */
  settings: 'io.swarmgate.client.settings'
} as const

/** The client-proxy image's user (docker/client-proxy.Dockerfile): it must be able to read the refresh token. */
export const PROXY_USER = { uid: 10001, gid: 10001 }

/** Where the volume is mounted in the proxy and in the client's helper containers. */
export const STATE_MOUNT = '/state'

/** The port client-proxy listens on inside its container (bridge network). */
export const PROXY_CONTAINER_PORT = 2375

export interface SwarmRef {
  /** `ns/name` */
  readonly swarm: string
  readonly namespace: string
  readonly name: string
}

/** Parses the swarm argument. */
export function swarmRef (value: string | undefined): SwarmRef {
  const parsed = value === undefined ? undefined : parseSwarmName(value)
  if (value === undefined || parsed === undefined) {
    throw errors.SG_ERR_CLIENT_SWARM_NAME(`${value === undefined ? 'no swarm was named' : `"${value}" is not NS/NAME in lower case`}; give it as registration printed it, such as alice/prod`)
  }
  return { swarm: value, ...parsed }
}

/** `swarmgate_client_proxy_<ns>_<name>`, as journey.md names it. */
export function proxyContainerName (ref: SwarmRef): string {
  return `swarmgate_client_proxy_${ref.namespace}_${ref.name}`
}

/** The folder of a swarm in the volume, relative to its root. */
export function swarmDir (ref: SwarmRef): string {
  return `swarms/${ref.namespace}/${ref.name}`
}
