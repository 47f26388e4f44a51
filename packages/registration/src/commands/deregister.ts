/**
 * Removes swarmgate from the swarm: the server-proxy and node agent services (and any reader
 * service left by an interrupted command), its network once the tasks have let go of it, every identity secret and
 * every config (policy documents, Docker Hub CAs).
 * Clients lose access at once, so it asks first unless --yes.
 */
import { NODE_AGENT_SERVICE, type EngineClient } from '@swarmgate/core'
import type { Context } from '../context.js'
import { errors } from '../errors.js'
import { LABELS, NETWORK_NAME, SERVICE_NAME, type ConfigKind } from '../names.js'
import { allConfigs, readState } from '../registration-state.js'
import { removeSwarmConfig } from '../swarm-configs.js'
import { waitFor } from '../wait.js'

const RELEASE_TIMEOUT_MS = 60_000

const CONFIG_NOUNS: Record<ConfigKind, string> = { policy: 'policy config', 'docker-hub-ca': 'Docker Hub CA config' }

/** Retries `remove` while the engine still counts the object as in use by stopping tasks. */
async function removeWhenReleased (remove: () => Promise<void>): Promise<void> {
  let last: unknown
  const removed = await waitFor(RELEASE_TIMEOUT_MS, async () => {
    try {
      await remove()
      return true
    } catch (err) {
      if ((err as { code?: string }).code === 'SG_ERR_ENGINE_NOT_FOUND') return true
      last = err
      return undefined
    }
  }, 1000)
  if (removed === undefined) throw last
}

async function removeServices (engine: EngineClient): Promise<number> {
  const ours = (await engine.services({ label: [LABELS.component] })).filter((s) => s.Spec.Name === SERVICE_NAME || s.Spec.Name === NODE_AGENT_SERVICE || s.Spec.Labels?.[LABELS.component] === 'registration-reader')
  for (const s of ours) await engine.removeService(s.ID)
  // The tasks' containers stop after the service is gone; until then they hold the network.
  await waitFor(RELEASE_TIMEOUT_MS, async () => {
    for (const s of ours) {
      const tasks = await engine.tasks({ service: [s.ID] }).catch((err: unknown) => {
        // Once the service is gone the engine may refuse the filter itself: no tasks are left.
        if ((err as { code?: string }).code === 'SG_ERR_ENGINE_NOT_FOUND') return []
        throw err
      })
      if (tasks.length > 0) return undefined
    }
    return true
  }, 1000)
  return ours.length
}

/** Runs deregister. */
export async function deregister (ctx: Context): Promise<void> {
  const { engine, prompter } = ctx
  const state = await readState(engine)
  const secrets = [...state.secrets.values()].flat()
  const configs = allConfigs(state)
  const networks = (await engine.networks({ name: [NETWORK_NAME] })).filter((n) => n.Name === NETWORK_NAME)
  if (state.service === undefined && secrets.length === 0 && networks.length === 0 && configs.length === 0) {
    ctx.stdout.write('This swarm is not registered with swarmgate; there is nothing to remove.\n')
    return
  }
  const name = state.swarmName ?? 'this swarm'
  if (!ctx.config.yes) {
    const sure = await prompter.confirm(`Remove swarmgate from ${name}: the services ${SERVICE_NAME} and ${NODE_AGENT_SERVICE}, the network ${NETWORK_NAME}, ${secrets.length} secrets and ${configs.length} configs? Every client loses access`, { flag: '--yes' })
    if (!sure) throw errors.SG_ERR_REGISTRATION_ABORTED('deregister was not confirmed')
  }
  const services = await removeServices(engine)
  for (const n of networks) await removeWhenReleased(async () => { await engine.removeNetwork(n.Id) })
  // The swarm still lists a removed overlay network for a moment; a registration started right
  // after would take it for existing and then fail to attach the service to it.
  await waitFor(RELEASE_TIMEOUT_MS, async () => (await engine.networks({ name: [NETWORK_NAME] })).some((n) => n.Name === NETWORK_NAME) ? undefined : true)
  for (const s of secrets) await removeWhenReleased(async () => { await engine.removeSecret(s.id) })
  for (const c of configs) await removeWhenReleased(async () => { await removeSwarmConfig(engine, c) })
  const removed = [`${services} service(s)`, `${networks.length} network(s)`, `${secrets.length} secret(s)`,
    ...[...state.configs].map(([kind, versions]) => `${versions.length} ${CONFIG_NOUNS[kind]}(s)`)]
  ctx.stdout.write(`Deregistered ${name}: removed ${removed.slice(0, -1).join(', ')} and ${removed.at(-1) as string}.\n`)
}
