/**
 * The names and labels of what registration creates: the contract with server-proxy (secret
 * targets, docs/protocol.md), with the client (the printed command) and with journey.md (service
 * and network names, labels under io.swarmgate.).
 */

export const SERVICE_NAME = 'swarmgate-server-proxy'
export const NETWORK_NAME = 'swarmgate-server-proxy-network'
/** server-proxy listens on this port inside its container; --port only changes the published one. */
export const CONTAINER_PORT = 2376
/** The published port unless --port says otherwise: the Docker TLS port, as the original used. */
export const DEFAULT_PORT = 2376

export { REGISTRATION_LABELS as LABELS } from '@swarmgate/core'

/** The value of LABELS.roles on an accounts secret written since roles. */
export const NAMED_ROLES = 'named'

/**
 * The identity files. `target` is the file under /run/secrets in server-proxy (docs/protocol.md);
 * the CA key has none: server-proxy never gets it, registration reads it only to issue a new
 * server certificate.
 */
export const SECRET_KINDS = {
  'signing-keys': { target: 'swarmgate-signing-keys' },
  'tls-cert': { target: 'swarmgate-tls-cert' },
  'tls-key': { target: 'swarmgate-tls-key' },
  accounts: { target: 'swarmgate-accounts' },
  'ca-key': { target: undefined }
} as const

export type SecretKind = keyof typeof SECRET_KINDS

/** `swarmgate-accounts-v3` */
export function secretName (kind: SecretKind, version: number): string {
  return `swarmgate-${kind}-v${version}`
}

/** The policy document: a swarm config (it holds no secret, and `policy show` reads it back). */
export const POLICY = {
  /** io.swarmgate.kind of the policy configs. */
  kind: 'policy',
  /** Where server-proxy finds it, and the variable that tells server-proxy so (set only when there is one). */
  target: '/run/swarmgate/policy.yaml',
  env: 'SWARMGATE_POLICY'
} as const

/** `swarmgate-policy-v2` */
export function policyConfigName (version: number): string {
  return `swarmgate-${POLICY.kind}-v${version}`
}
