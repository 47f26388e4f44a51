/**
 * The identity secrets and their versions. Swarm secrets are immutable and cannot be read back
 * through the API, so a change is a new secret `swarmgate-<kind>-v<N+1>`, and what registration
 * needs to know about them (cluster name, pin, certificate names) is kept in their labels.
 */
import type { EngineClient, Labels, Secret } from '@swarmgate/core'
import { LABELS, SECRET_KINDS, secretName, type SecretKind } from './names.js'

export interface IdentitySecret {
  readonly id: string
  readonly name: string
  readonly kind: SecretKind
  readonly version: number
  readonly labels: Labels
}

/** Every swarmgate identity secret by kind, newest version first. */
export type IdentitySecrets = ReadonlyMap<SecretKind, readonly IdentitySecret[]>

function isKind (value: string | undefined): value is SecretKind {
  return value !== undefined && Object.hasOwn(SECRET_KINDS, value)
}

/** Lists the identity secrets on the swarm. */
export async function listIdentitySecrets (engine: EngineClient): Promise<IdentitySecrets> {
  const out = new Map<SecretKind, IdentitySecret[]>()
  for (const s of await engine.secrets({ label: [LABELS.kind] })) {
    const labels = s.Spec.Labels ?? {}
    const kind = labels[LABELS.kind]
    if (!isKind(kind)) continue
    const version = Number(labels[LABELS.version] ?? versionFromName(s))
    out.set(kind, [...(out.get(kind) ?? []), { id: s.ID, name: s.Spec.Name, kind, version, labels }])
  }
  for (const list of out.values()) list.sort((a, b) => b.version - a.version)
  return out
}

function versionFromName (s: Secret): number {
  return Number(/-v(\d+)$/.exec(s.Spec.Name)?.[1] ?? 0)
}

/** The newest secret of `kind`, if any. */
export function newest (secrets: IdentitySecrets, kind: SecretKind): IdentitySecret | undefined {
  return secrets.get(kind)?.[0]
}

/**
 * The component label is what server-proxy protects from non-owners (mounting swarmgate's secrets
 * into a service of their own); the CA key is registration's alone.
 */
function componentOf (kind: SecretKind): string {
  return SECRET_KINDS[kind].target === undefined ? 'registration' : 'server-proxy'
}

/**
 * Gives `secret` the component label when a registration from before authorization made it
 * without; a secret's labels are the one part of it the engine lets change.
 */
export async function labelComponent (engine: EngineClient, secret: IdentitySecret): Promise<void> {
  if (secret.labels[LABELS.component] !== undefined) return
  const path = `/secrets/${encodeURIComponent(secret.id)}`
  const current = JSON.parse((await engine.call('GET', path)).toString('utf8')) as { Version: { Index: number }, Spec: { Name: string, Labels?: Labels } }
  await engine.call('POST', `${path}/update`, { query: { version: current.Version.Index }, body: { ...current.Spec, Labels: { ...current.Spec.Labels, [LABELS.component]: componentOf(secret.kind) } } })
}

/** Creates the next version of `kind` holding `content`. */
export async function createVersion (engine: EngineClient, secrets: IdentitySecrets, kind: SecretKind, content: string, labels: Labels): Promise<IdentitySecret> {
  const version = (newest(secrets, kind)?.version ?? 0) + 1
  const name = secretName(kind, version)
  const all = { ...labels, [LABELS.component]: componentOf(kind), [LABELS.kind]: kind, [LABELS.version]: String(version) }
  const id = await engine.createSecret(name, content, all)
  return { id, name, kind, version, labels: all }
}

/** Removes every version of `kind` but `keep`; the service no longer refers to them. */
export async function removeOtherVersions (engine: EngineClient, secrets: IdentitySecrets, keep: IdentitySecret): Promise<void> {
  for (const old of secrets.get(keep.kind) ?? []) {
    if (old.id !== keep.id) await engine.removeSecret(old.id)
  }
}
