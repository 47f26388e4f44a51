/**
 * Puts server-proxy in the shape a command wants: its network, the service created or updated with
 * the given secrets and settings, then waits until every manager runs it, and only then removes
 * secret and config versions nothing uses any more (a rolled-back update still needs the old ones).
 */
import type { EngineClient } from '@swarmgate/core'
import type { Context } from './context.js'
import { waitForServerProxy } from './convergence.js'
import { errors } from './errors.js'
import { LABELS, NETWORK_NAME, type SecretKind } from './names.js'
import { Progress } from './progress.js'
import { pinImage } from './image-pin.js'
import { findNodeAgent, syncNodeAgent } from './node-agent.js'
import { allConfigs, currentConfigs, currentSecret, type RegistrationState } from './registration-state.js'
import { removeOtherVersions, type IdentitySecret } from './secrets.js'
import { readServerProxySettings, serverProxySpec, type ServerProxySettings } from './service-spec.js'
import { removeSwarmConfig, type SwarmConfig } from './swarm-configs.js'

export interface Deployment extends ServerProxySettings {
  /** One secret per kind, the ones to mount (and keep). */
  readonly secrets: readonly IdentitySecret[]
  /** The configs to mount (and keep), at most one per kind; the other versions go. */
  readonly configs: readonly SwarmConfig[]
  /** Restart the tasks even when the spec is unchanged (the same image tag may be a new image). */
  readonly force: boolean
  /** Run the node agents (true), remove them (false), or keep them as they are (undefined). */
  readonly nodeAgents?: boolean
}

async function ensureNetwork (engine: EngineClient, ctx: Context, swarmName: string): Promise<void> {
  const existing = await engine.networks({ name: [NETWORK_NAME] })
  if (existing.some((n) => n.Name === NETWORK_NAME)) return
  ctx.stderr.write(`Creating network ${NETWORK_NAME}\n`)
  await engine.createNetwork({ Name: NETWORK_NAME, Driver: 'overlay', CheckDuplicate: true, Labels: { ...ctx.labels, [LABELS.component]: 'server-proxy', [LABELS.swarm]: swarmName } })
}

/** Creates or updates the service and waits for it on every manager. */
export async function deploy (ctx: Context, state: RegistrationState, d: Deployment): Promise<void> {
  const { engine } = ctx
  await ensureNetwork(engine, ctx, d.swarmName)
  const spec = serverProxySpec({ ...d, imageRef: await pinImage(engine, d.image), labels: ctx.labels })
  let serviceId: string
  if (state.service === undefined) {
    ctx.stderr.write(`Creating service ${spec.Name} (${d.image}) on every manager\n`)
    serviceId = (await engine.createService(spec)).ID
  } else {
    ctx.stderr.write(`Updating service ${spec.Name} (${d.image})\n`)
    serviceId = state.service.ID
    const forceUpdate = (state.service.Spec.TaskTemplate.ForceUpdate ?? 0) + (d.force ? 1 : 0)
    await engine.updateService(serviceId, state.service.Version.Index, { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: forceUpdate } })
  }
  await waitForServerProxy(engine, serviceId, { timeoutMs: ctx.config.timeout * 1000, progress: new Progress(ctx.stderr) })
  await syncNodeAgent(ctx, spec, d.secrets, d.force, d.nodeAgents)
  for (const keep of d.secrets) await removeOtherVersions(engine, state.secrets, keep)
  for (const old of allConfigs(state)) {
    if (!d.configs.some((c) => c.id === old.id)) await removeSwarmConfig(engine, old)
  }
}

const AGENT_KINDS: readonly SecretKind[] = ['agent-ca', 'agent-cert', 'agent-key']
const KINDS: readonly SecretKind[] = ['signing-keys', 'verify-keys', 'tls-cert', 'tls-key', 'ca-key', 'accounts', ...AGENT_KINDS]

/**
 * Rolls server-proxy over to a new accounts secret or a new config version, keeping everything
 * else as the registered service has it, Docker Hub settings included (the `users`, `teams`,
 * `hub-token` and `policy` commands).
 */
export async function redeploy (ctx: Context, state: RegistrationState, change: { readonly accounts: IdentitySecret } | { readonly config: SwarmConfig }): Promise<void> {
  const settings = state.service === undefined ? undefined : readServerProxySettings(state.service.Spec)
  if (settings === undefined) throw errors.SG_ERR_REGISTRATION_INCOMPLETE('the server-proxy service has lost its swarmgate labels; run registration again')
  const secrets = KINDS.flatMap((k) => ('accounts' in change && k === 'accounts' ? change.accounts : currentSecret(state, k)) ?? [])
  const missing = KINDS.filter((k) => !secrets.some((s) => s.kind === k))
  // A swarm registered before the node agents had an identity of their own has none of theirs;
  // it needs none as long as it runs no agents (registration run again makes them).
  const onlyAgents = missing.every((k) => AGENT_KINDS.includes(k)) && await findNodeAgent(ctx.engine) === undefined
  if (missing.length > 0 && !onlyAgents) throw errors.SG_ERR_REGISTRATION_INCOMPLETE(`a swarmgate secret is missing (${missing.join(', ')}); run registration again`)
  const configs = 'config' in change ? [...currentConfigs(state).filter((c) => c.kind !== change.config.kind), change.config] : currentConfigs(state)
  await deploy(ctx, state, { ...settings, secrets, configs, force: false })
}
