/**
 * What each built-in role may call, by action (routes.ts names every engine route with one).
 * owner: everything. viewer: reads only. operator: everything but the swarm's control plane,
 * plugins, BuildKit sessions and checkpoints; what it sends is checked further by the body and
 * target rules (checks.ts). An action no table knows is refused to every role but owner.
 */
import type { BuiltinRole } from './types.js'

/** Why a role may not call an action: the rule id and what the refusal says the role may not do. */
export interface ActionRefusal {
  readonly rule: string
  readonly what: string
}

/** The reads a viewer may call: lists, inspect, logs, events, stats, top, diff, df, info, version. */
export const VIEWER_ACTIONS: ReadonlySet<string> = new Set([
  'system.ping', 'system.ping-head', 'system.version', 'system.info', 'system.events', 'system.df',
  'container.list', 'container.inspect', 'container.logs', 'container.top', 'container.changes', 'container.stats',
  'image.list', 'image.inspect', 'image.history', 'image.attestations', 'image.search', 'distribution.inspect',
  'network.list', 'network.inspect', 'volume.list', 'volume.inspect',
  'service.list', 'service.inspect', 'service.logs', 'task.list', 'task.inspect', 'task.logs',
  'node.list', 'node.inspect', 'secret.list', 'secret.inspect', 'config.list', 'config.inspect',
  'plugin.list', 'plugin.inspect', 'exec.inspect'
])

/** Actions an operator may not call, by group or by name, with the rule that says so. */
const OPERATOR_REFUSALS: ReadonlyArray<readonly [(action: string) => boolean, ActionRefusal]> = [
  [(a) => a === 'swarm.inspect' || a === 'swarm.unlockkey', { rule: 'no-join-tokens', what: "read the swarm's join tokens or unlock key" }],
  [(a) => a.startsWith('swarm.'), { rule: 'no-swarm-control', what: "change the swarm's control plane (init, join, leave, update, unlock)" }],
  [(a) => a === 'node.update' || a === 'node.delete', { rule: 'no-node-changes', what: 'change or remove swarm nodes' }],
  [(a) => a.startsWith('plugin.') && !VIEWER_ACTIONS.has(a), { rule: 'no-plugins', what: 'install, enable, configure or remove plugins' }],
  [(a) => a === 'session' || a === 'grpc' || a.startsWith('session.') || a.startsWith('grpc.'), { rule: 'no-buildkit', what: 'open BuildKit sessions (their entitlements cannot be checked)' }],
  [(a) => a.startsWith('checkpoint.'), { rule: 'no-checkpoints', what: 'create or restore checkpoints (they write to the host)' }],
  [(a) => a.startsWith('debug.'), { rule: 'no-debug', what: "read the engine's debug and profiling endpoints" }]
]

/** True when `pattern` (an action or an `object.*` group) names `action`. */
export function actionMatches (pattern: string, action: string): boolean {
  return pattern.endsWith('.*') ? action.startsWith(pattern.slice(0, -1)) : pattern === action
}

/** Why a built-in role may not call `action`, or undefined when its action table allows it. */
export function builtinRefusal (base: BuiltinRole, action: string): ActionRefusal | undefined {
  if (base === 'owner') return undefined
  if (base === 'viewer') return VIEWER_ACTIONS.has(action) ? undefined : { rule: 'read-only', what: `call ${action} (viewers only read)` }
  for (const [matches, refusal] of OPERATOR_REFUSALS) if (matches(action)) return refusal
  return undefined
}
