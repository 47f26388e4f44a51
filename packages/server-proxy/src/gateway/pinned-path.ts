/**
 * A call that names a container checks the container the engine found under that name; between
 * the check and the call, the name could be given to another container (rename is a workload
 * operation an operator may do). The call is therefore forwarded on the ID that was checked.
 */
import type { Call, Facts } from '@swarmgate/core'

/** The path and query to forward instead of `url`, or undefined when the call names the checked container by its ID already. */
export function pinnedPath (call: Call, url: string, facts: Facts): string | undefined {
  const target = call.params.id ?? call.params.name
  const id = (facts.container as { Id?: unknown } | null | undefined)?.Id
  if (target === undefined || typeof id !== 'string' || target === id) return undefined
  const segments = call.route.split('/')
  if (segments[1] !== 'containers' || segments[2] !== target) return undefined
  segments[2] = id
  const query = url.indexOf('?')
  return `${call.version === undefined ? '' : `/v${call.version}`}${segments.map(encodeURIComponent).join('/')}${query === -1 ? '' : url.slice(query)}`
}
