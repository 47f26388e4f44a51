/**
 * The policy document's versions as swarm configs `swarmgate-policy-v<N>`. Configs, not secrets:
 * the document holds no secret, and `policy show` reads it back through the API. Like secrets they
 * are immutable, so a change is a new version, and older ones go once the service runs the new one.
 * core's EngineClient has no config calls yet, so these go through its generic `call`.
 */
import { parsePolicy, type EngineClient, type Labels, type PolicyDocument } from '@swarmgate/core'
import { LABELS, POLICY, policyConfigName } from './names.js'

export interface PolicyConfig {
  readonly id: string
  readonly name: string
  readonly version: number
}

interface EngineConfig {
  readonly ID: string
  readonly Spec: { readonly Name: string, readonly Labels?: Labels, readonly Data?: string }
}

/** The policy configs on the swarm, newest version first. */
export async function listPolicyConfigs (engine: EngineClient): Promise<PolicyConfig[]> {
  const body = await engine.call('GET', '/configs', { query: { filters: { label: [`${LABELS.kind}=${POLICY.kind}`] } } })
  const configs = JSON.parse(body.toString('utf8')) as EngineConfig[]
  return configs
    .map((c) => ({ id: c.ID, name: c.Spec.Name, version: Number(c.Spec.Labels?.[LABELS.version] ?? /-v(\d+)$/.exec(c.Spec.Name)?.[1] ?? 0) }))
    .sort((a, b) => b.version - a.version)
}

/** The document a policy config holds. */
export async function readPolicyConfig (engine: EngineClient, config: PolicyConfig): Promise<string> {
  const body = await engine.call('GET', `/configs/${encodeURIComponent(config.id)}`)
  const { Spec } = JSON.parse(body.toString('utf8')) as EngineConfig
  return Buffer.from(Spec.Data ?? '', 'base64').toString('utf8')
}

/** The parsed document of `config`; undefined (the built-in roles) when there is none. */
export async function readPolicyDocument (engine: EngineClient, config: PolicyConfig | undefined): Promise<PolicyDocument | undefined> {
  return config === undefined ? undefined : parsePolicy(await readPolicyConfig(engine, config))
}

/** Creates the next policy version holding `text`. */
export async function createPolicyConfig (engine: EngineClient, existing: readonly PolicyConfig[], text: string, labels: Labels): Promise<PolicyConfig> {
  const version = (existing[0]?.version ?? 0) + 1
  const name = policyConfigName(version)
  const all = { ...labels, [LABELS.component]: 'server-proxy', [LABELS.kind]: POLICY.kind, [LABELS.version]: String(version) }
  const body = await engine.call('POST', '/configs/create', { body: { Name: name, Labels: all, Data: Buffer.from(text, 'utf8').toString('base64') } })
  return { id: (JSON.parse(body.toString('utf8')) as { ID: string }).ID, name, version }
}

/** Removes the policy config `config`. */
export async function removePolicyConfig (engine: EngineClient, config: PolicyConfig): Promise<void> {
  await engine.call('DELETE', `/configs/${encodeURIComponent(config.id)}`)
}
