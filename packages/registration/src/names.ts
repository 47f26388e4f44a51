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
/** server-proxy serves its metrics on this port inside its container (over NETWORK_NAME for status); never published. */
export const METRICS_PORT = 9323

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
  /** The public half of the signing keys: node agents verify managers' node assertions with it and can sign none. */
  'verify-keys': { target: 'swarmgate-verify-keys' },
  'ca-key': { target: undefined },
  /** The node agents' own CA (certificate only: its key is never kept), which server-proxy pins to reach them. */
  'agent-ca': { target: 'swarmgate-agent-ca' },
  /** The node agents' TLS certificate and key, mounted in the agents only (AGENT_SECRET_KINDS). */
  'agent-cert': { target: 'swarmgate-agent-cert' },
  'agent-key': { target: 'swarmgate-agent-key' }
} as const

export type SecretKind = keyof typeof SECRET_KINDS

/** The secrets the node agents mount and server-proxy does not. */
export const AGENT_SECRET_KINDS: ReadonlySet<SecretKind> = new Set<SecretKind>(['agent-cert', 'agent-key'])

/** `swarmgate-accounts-v3` */
export function secretName (kind: SecretKind, version: number): string {
  return `swarmgate-${kind}-v${version}`
}

/**
 * The documents server-proxy mounts as swarm configs, not secrets: they hold no secret, and
 * registration reads them back through the API. `target` is where server-proxy finds one, `env`
 * the variable that tells it so (set only when the swarm has one).
 */
export const CONFIG_KINDS = {
  /** The policy document (docs/authorization.md); none: the built-in roles apply. */
  policy: { target: '/run/swarmgate/policy.yaml', env: 'SWARMGATE_POLICY' },
  /** The CA that issued --docker-hub-url's certificate; none: the system's CAs. */
  'docker-hub-ca': { target: '/run/swarmgate/docker-hub-ca.pem', env: 'SWARMGATE_DOCKER_HUB_CA' }
} as const

export type ConfigKind = keyof typeof CONFIG_KINDS

/** `swarmgate-policy-v2` */
export function configName (kind: ConfigKind, version: number): string {
  return `swarmgate-${kind}-v${version}`
}
