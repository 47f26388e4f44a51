/**
 * What is registered on this swarm, read from the engine: the server-proxy service, the
 * identity secrets and the policy document's configs. The cluster name is on the service and on every secret, so a registration
 * interrupted before the service was created can still be completed.
 */
import type { EngineClient, Service } from '@swarmgate/core'
import { LABELS, SECRET_KINDS, SERVICE_NAME, type SecretKind } from './names.js'
import { listPolicyConfigs, type PolicyConfig } from './policy-configs.js'
import { listIdentitySecrets, newest, type IdentitySecret, type IdentitySecrets } from './secrets.js'
import { mountedPolicyId } from './service-spec.js'

export interface RegistrationState {
  readonly service: Service | undefined
  readonly secrets: IdentitySecrets
  readonly swarmName: string | undefined
  /** Newest version first. */
  readonly policies: readonly PolicyConfig[]
}

/** Reads the registration; nothing of it may exist yet. */
export async function readState (engine: EngineClient): Promise<RegistrationState> {
  const services = await engine.services({ name: [SERVICE_NAME] })
  // The name filter matches prefixes; only the exact name is ours.
  const service = services.find((s) => s.Spec.Name === SERVICE_NAME)
  const secrets = await listIdentitySecrets(engine)
  const swarmName = service?.Spec.Labels?.[LABELS.swarm] ?? newest(secrets, 'accounts')?.labels[LABELS.swarm]
  return { service, secrets, swarmName, policies: await listPolicyConfigs(engine) }
}

/** The secret of `kind` in use: the one the service mounts, else the newest (CA key: always the newest). */
export function currentSecret (state: RegistrationState, kind: SecretKind): IdentitySecret | undefined {
  const target = SECRET_KINDS[kind].target
  const ref = state.service?.Spec.TaskTemplate.ContainerSpec.Secrets?.find((s) => s.File.Name === target)
  return state.secrets.get(kind)?.find((s) => s.id === ref?.SecretID) ?? newest(state.secrets, kind)
}

/**
 * The policy in force: the one the service mounts (a newer version a failed `policy set` left is
 * not); the newest when there is no service yet; undefined when the built-in roles apply.
 */
export function currentPolicy (state: RegistrationState): PolicyConfig | undefined {
  if (state.service === undefined) return state.policies[0]
  const id = mountedPolicyId(state.service.Spec)
  return state.policies.find((p) => p.id === id)
}
