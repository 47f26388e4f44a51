/**
 * The documents server-proxy mounts as swarm configs `swarmgate-<kind>-v<N>` (names.ts
 * CONFIG_KINDS: the policy document, the Docker Hub CA). Configs, not secrets: they hold no
 * secret, and registration reads them back through the API. Like secrets they are immutable, so a
 * change is a new version, and older ones go once the service runs the new one. core's
 * EngineClient has no config calls yet, so these go through its generic `call`.
 */
import { parsePolicy, type EngineClient, type Labels, type PolicyDocument } from '@swarmgate/core'
import { CONFIG_KINDS, configName, LABELS, type ConfigKind } from './names.js'

export interface SwarmConfig {
  readonly id: string
  readonly name: string
  readonly kind: ConfigKind
  readonly version: number
}

/** Every swarmgate config by kind, newest version first. */
export type SwarmConfigs = ReadonlyMap<ConfigKind, readonly SwarmConfig[]>

interface EngineConfig {
  readonly ID: string
  readonly Spec: { readonly Name: string, readonly Labels?: Labels, readonly Data?: string }
}

function isConfigKind (value: string | undefined): value is ConfigKind {
  return value !== undefined && Object.hasOwn(CONFIG_KINDS, value)
}

/** The swarmgate configs on the swarm. */
export async function listSwarmConfigs (engine: EngineClient): Promise<SwarmConfigs> {
  const body = await engine.call('GET', '/configs', { query: { filters: { label: [LABELS.kind] } } })
  const out = new Map<ConfigKind, SwarmConfig[]>()
  for (const c of JSON.parse(body.toString('utf8')) as EngineConfig[]) {
    const kind = c.Spec.Labels?.[LABELS.kind]
    if (!isConfigKind(kind)) continue
    const version = Number(c.Spec.Labels?.[LABELS.version] ?? /-v(\d+)$/.exec(c.Spec.Name)?.[1] ?? 0)
    out.set(kind, [...(out.get(kind) ?? []), { id: c.ID, name: c.Spec.Name, kind, version }])
  }
  for (const list of out.values()) list.sort((a, b) => b.version - a.version)
  return out
}

/** The text a config holds. */
export async function readSwarmConfig (engine: EngineClient, config: SwarmConfig): Promise<string> {
  const body = await engine.call('GET', `/configs/${encodeURIComponent(config.id)}`)
  const { Spec } = JSON.parse(body.toString('utf8')) as EngineConfig
  return Buffer.from(Spec.Data ?? '', 'base64').toString('utf8')
}

/** The parsed document of a policy config; undefined (the built-in roles) when there is none. */
export async function readPolicyDocument (engine: EngineClient, config: SwarmConfig | undefined): Promise<PolicyDocument | undefined> {
  return config === undefined ? undefined : parsePolicy(await readSwarmConfig(engine, config))
}

/** Creates the next version of `kind` holding `text`. */
export async function createSwarmConfig (engine: EngineClient, existing: SwarmConfigs, kind: ConfigKind, text: string, labels: Labels): Promise<SwarmConfig> {
  const version = (existing.get(kind)?.[0]?.version ?? 0) + 1
  const name = configName(kind, version)
  const all = { ...labels, [LABELS.component]: 'server-proxy', [LABELS.kind]: kind, [LABELS.version]: String(version) }
  const body = await engine.call('POST', '/configs/create', { body: { Name: name, Labels: all, Data: Buffer.from(text, 'utf8').toString('base64') } })
  return { id: (JSON.parse(body.toString('utf8')) as { ID: string }).ID, name, kind, version }
}

/** Removes the config `config`. */
export async function removeSwarmConfig (engine: EngineClient, config: SwarmConfig): Promise<void> {
  await engine.call('DELETE', `/configs/${encodeURIComponent(config.id)}`)
}
