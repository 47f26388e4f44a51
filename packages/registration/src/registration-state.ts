/**
 * What is registered on this swarm, read from the engine: the server-proxy service, the identity
 * secrets and the configs (policy document, Docker Hub CA). The cluster name is on the service and
 * on every secret, so a registration interrupted before the service was created can still be
 * completed.
 */
import type { EngineClient, Service } from '@swarmgate/core'
import { CONFIG_KINDS, LABELS, SECRET_KINDS, SERVICE_NAME, type ConfigKind, type SecretKind } from './names.js'
import { mountedConfigId } from './service-spec.js'
import { listIdentitySecrets, newest, type IdentitySecret, type IdentitySecrets } from './secrets.js'
import { listSwarmConfigs, type SwarmConfig, type SwarmConfigs } from './swarm-configs.js'

export interface RegistrationState {
  readonly service: Service | undefined
  readonly secrets: IdentitySecrets
  readonly swarmName: string | undefined
  readonly configs: SwarmConfigs
}

/** Reads the registration; nothing of it may exist yet. */
export async function readState (engine: EngineClient): Promise<RegistrationState> {
  const services = await engine.services({ name: [SERVICE_NAME] })
  // The name filter matches prefixes; only the exact name is ours.
  const service = services.find((s) => s.Spec.Name === SERVICE_NAME)
  const secrets = await listIdentitySecrets(engine)
  const swarmName = service?.Spec.Labels?.[LABELS.swarm] ?? newest(secrets, 'accounts')?.labels[LABELS.swarm]
  return { service, secrets, swarmName, configs: await listSwarmConfigs(engine) }
}

/** The secret of `kind` in use: the one the service mounts, else the newest (CA key: always the newest). */
export function currentSecret (state: RegistrationState, kind: SecretKind): IdentitySecret | undefined {
  const target = SECRET_KINDS[kind].target
  const ref = state.service?.Spec.TaskTemplate.ContainerSpec.Secrets?.find((s) => s.File.Name === target)
  return state.secrets.get(kind)?.find((s) => s.id === ref?.SecretID) ?? newest(state.secrets, kind)
}

/**
 * The config of `kind` in force: the one the service mounts (a newer version a failed `policy set`
 * left is not); the newest when there is no service yet; undefined when the swarm has none (the
 * built-in roles, the system's CAs).
 */
export function currentConfig (state: RegistrationState, kind: ConfigKind): SwarmConfig | undefined {
  const versions = state.configs.get(kind) ?? []
  if (state.service === undefined) return versions[0]
  const id = mountedConfigId(state.service.Spec, kind)
  return versions.find((c) => c.id === id)
}

/** Every config in force, one per kind that has one. */
export function currentConfigs (state: RegistrationState): SwarmConfig[] {
  return (Object.keys(CONFIG_KINDS) as ConfigKind[]).flatMap((kind) => currentConfig(state, kind) ?? [])
}

/** Every config version on the swarm, of every kind. */
export function allConfigs (state: RegistrationState): SwarmConfig[] {
  return [...state.configs.values()].flat()
}
