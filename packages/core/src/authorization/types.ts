/**
 * The vocabulary of authorization (docs/authorization.md): what a call is once the engine's
 * router has read it, what the gateway may have to fetch before deciding, and what it decides.
 * The policy engine is a pure function of these: no server, no engine, no clock.
 */

/** The built-in roles. Custom roles are defined in the policy document and name one as `base`. */
export type BuiltinRole = 'owner' | 'operator' | 'viewer'
export const BUILTIN_ROLES: readonly BuiltinRole[] = ['owner', 'operator', 'viewer']

/** A call as the engine routes it. */
export interface Call {
  readonly method: string
  /** The route's action, such as `container.create` or `exec.start`; undefined when the engine route is unknown. */
  readonly action: string | undefined
  /** The path as routed: percent-decoded, cleaned, without the `/vNN` prefix (for logs and audit lines). */
  readonly route: string
  /** The API version of the `/vNN` prefix (`1.41`), or undefined when the path has none. */
  readonly version: string | undefined
  /** The route's variables (`id`, `name`) as the engine's router extracts them. */
  readonly params: Readonly<Record<string, string>>
  /** Query parameters as Go's url.ParseQuery reads them (repeated keys keep every value, first one first). */
  readonly query: ReadonlyMap<string, readonly string[]>
  /** Headers a decision may read, lower-case names, first value (content-type, content-encoding). */
  readonly headers: Readonly<Record<string, string | undefined>>
}

/** What the gateway fetches from the engine before deciding, when a decision needs it. */
export type FactKind =
  /** GET /containers/{params.id}/json: the target container. */
  | 'container'
  /** GET /exec/{params.id}/json, then its container. */
  | 'exec'
  /** GET /services/{params.id}: the target service. */
  | 'service'
  /** GET /secrets/{params.id} or /configs/{params.id}: the target secret or config. */
  | 'secret' | 'config'
  /** GET /networks/{params.id}: the target network. */
  | 'network'
  /** GET /volumes/{params.name}: the target volume. */
  | 'volume'
  /** The IDs of swarmgate's own secrets and configs, and the host network's ID (service specs). */
  | 'swarm-objects'

/** What the engine said about the objects a call names; only the kinds asked for are filled. */
export interface Facts {
  /** The target's inspect document as the engine returned it (JSON), or null when the engine has no such object. */
  readonly container?: unknown
  readonly exec?: { readonly exec: unknown, readonly container: unknown } | null
  readonly service?: unknown
  readonly secret?: unknown
  readonly config?: unknown
  readonly network?: unknown
  readonly volume?: unknown
  readonly swarmObjects?: {
    /** IDs of secrets and configs that carry swarmgate's component label (server-proxy's identity). */
    readonly protectedIds: ReadonlySet<string>
    readonly protectedNames: ReadonlySet<string>
    /** The ID of the engine's `host` network, when it has one. */
    readonly hostNetworkId: string | undefined
  }
}

/** The request body, when a decision needs it: decoded as the engine decodes it, or why it cannot be. */
export type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json', readonly value: unknown }
  /** Not decodable with certainty (bad JSON, keys that differ only in case, trailing data, too large...). */
  | { readonly kind: 'undecodable', readonly reason: string, readonly status: 400 | 413 | 415 }

/** What a decision needs before it can be made. */
export interface Needs {
  readonly body: boolean
  readonly facts: readonly FactKind[]
}

export type Decision =
  | { readonly allow: true, readonly rule: string, readonly audit?: undefined }
  /**
   * `enforced` false: the role is in audit mode; the call goes on and is logged as "would deny".
   * `status` is 403, or 400/413/415 for a body that cannot be decoded with certainty.
   */
  | { readonly allow: false, readonly rule: string, readonly message: string, readonly status: number, readonly enforced: boolean }
