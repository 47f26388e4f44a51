/**
 * The client-proxy container of a swarm, `swarmgate_client_proxy_<ns>_<name>`. It gets its
 * settings as environment variables and its refresh token as a file in the read-only volume.
 *
 * On the default (bridge) setup it listens on 2375 inside its own network, swarmgate-client-network,
 * published on the host's 127.0.0.1 only: other containers on the default bridge cannot reach it,
 * and only the host itself can use the published port. With --host-network it listens on the
 * host's 127.0.0.1 directly, for endpoints that only the host can reach.
 *
 * The port is chosen once and written into the container (and the saved swarm): a random published
 * port would change when the engine restarts the container, and the user's DOCKER_HOST with it.
 */
import { createHash } from 'node:crypto'
import type { Container, EngineClient, Labels } from '@swarmgate/core'
import { errors } from './errors.js'
import { LABELS, PROXY_CONTAINER_PORT, PROXY_USER, STATE_MOUNT, proxyContainerName, type SwarmRef } from './names.js'

export const CLIENT_NETWORK = 'swarmgate-client-network'

export interface ProxyPlan {
  readonly ref: SwarmRef
  readonly image: string
  readonly endpoints: readonly string[]
  readonly fingerprint: string
  readonly hostNetwork: boolean
  readonly port: number
  readonly volume: string
  readonly tokenPath: string
  readonly labels: Labels
}

export interface RunningProxy {
  readonly id: string
  readonly port: number
  /** True when an existing container with the same settings was kept. */
  readonly reused: boolean
}

/** A random port for the proxy, from the range engines hand out for random publishing. */
export function randomPort (): number {
  return 32768 + Math.floor(Math.random() * (60999 - 32768))
}

function settingsHash (plan: ProxyPlan, imageId: string): string {
  const settings = [imageId, plan.endpoints, plan.fingerprint, plan.hostNetwork, plan.port, plan.volume, plan.tokenPath]
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 32)
}

async function inspectOrUndefined (engine: EngineClient, name: string): Promise<Container | undefined> {
  try {
    return await engine.inspectContainer(name)
  } catch (err) {
    if ((err as { code?: string }).code === 'SG_ERR_ENGINE_NOT_FOUND') return undefined
    throw err
  }
}

async function imageId (engine: EngineClient, image: string): Promise<string> {
  try {
    return (await engine.inspectImage(image)).Id
  } catch (err) {
    if ((err as { code?: string }).code !== 'SG_ERR_ENGINE_NOT_FOUND') throw err
  }
  try {
    await engine.pullImage(image)
    return (await engine.inspectImage(image)).Id
  } catch (err) {
    throw errors.SG_ERR_CLIENT_PROXY_IMAGE(`${image} is not on this engine and could not be pulled (${(err as Error).message}); load or pull it, or name another with --image`, err)
  }
}

async function ensureNetwork (engine: EngineClient, labels: Labels): Promise<void> {
  if ((await engine.networks({ name: [CLIENT_NETWORK] })).some((n) => n.Name === CLIENT_NETWORK)) return
  await engine.createNetwork({ Name: CLIENT_NETWORK, Driver: 'bridge', CheckDuplicate: true, Labels: { ...labels, [LABELS.component]: 'client' } })
}

/** Starts the proxy container of `plan`, or keeps the running one made with the same settings. */
export async function ensureProxy (engine: EngineClient, plan: ProxyPlan, restart: boolean): Promise<RunningProxy> {
  const name = proxyContainerName(plan.ref)
  const hash = settingsHash(plan, await imageId(engine, plan.image))
  const existing = await inspectOrUndefined(engine, name)
  if (existing !== undefined && existing.Config.Labels?.[LABELS.settings] === hash) {
    // A new login only changed the token file; a restart makes the proxy use it at once.
    if (restart && existing.State.Running) await engine.restartContainer(existing.Id)
    else if (!existing.State.Running) await engine.startContainer(existing.Id)
    return { id: existing.Id, port: plan.port, reused: true }
  }
  if (existing !== undefined) await engine.removeContainer(existing.Id)
  if (!plan.hostNetwork) await ensureNetwork(engine, plan.labels)
  const port = plan.hostNetwork ? plan.port : PROXY_CONTAINER_PORT
  const id = await engine.createContainer(name, {
    Image: plan.image,
    User: `${PROXY_USER.uid}:${PROXY_USER.gid}`,
    Labels: { ...plan.labels, [LABELS.component]: 'client-proxy', [LABELS.swarm]: plan.ref.swarm, [LABELS.settings]: hash },
    Env: [
      `SWARMGATE_SWARM=${plan.ref.swarm}`,
      `SWARMGATE_ENDPOINTS=${plan.endpoints.join(',')}`,
      `SWARMGATE_FINGERPRINT=${plan.fingerprint}`,
      `SWARMGATE_REFRESH_TOKEN_FILE=${plan.tokenPath}`,
      // Inside its own network namespace the proxy must listen on every address for the published
      // port to reach it; the publishing itself is bound to the host's 127.0.0.1.
      `SWARMGATE_LISTEN_HOST=${plan.hostNetwork ? '127.0.0.1' : '0.0.0.0'}`,
      `SWARMGATE_LISTEN_PORT=${port}`
    ],
    ExposedPorts: plan.hostNetwork ? undefined : { [`${PROXY_CONTAINER_PORT}/tcp`]: {} },
    HostConfig: {
      NetworkMode: plan.hostNetwork ? 'host' : CLIENT_NETWORK,
      PortBindings: plan.hostNetwork ? undefined : { [`${PROXY_CONTAINER_PORT}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(plan.port) }] },
      Mounts: [{ Type: 'volume', Source: plan.volume, Target: STATE_MOUNT, ReadOnly: true }],
      RestartPolicy: { Name: 'unless-stopped' },
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges']
    }
  })
  try {
    await engine.startContainer(id)
  } catch (err) {
    await engine.removeContainer(id)
    if (/port is already allocated|address already in use/i.test((err as Error).message)) throw errors.SG_ERR_CLIENT_PORT_BUSY(`127.0.0.1:${plan.port} (${(err as Error).message})`, err)
    throw err
  }
  return { id, port: plan.port, reused: false }
}

/** The port the proxy answers on inside its container (the check runs there). */
export function listenPort (plan: Pick<ProxyPlan, 'hostNetwork' | 'port'>): number {
  return plan.hostNetwork ? plan.port : PROXY_CONTAINER_PORT
}
