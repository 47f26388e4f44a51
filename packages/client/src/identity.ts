/**
 * Which identities a swarm accepts at login, asked before prompting (PATHS.identity, over the
 * pinned connection of pinned-request.ts): its own local accounts, Docker IDs, or both.
 */
import { PATHS, type AccountKind, type IdentityAnswer } from '@swarmgate/core'
import { errors } from './errors.js'
import { askSwarm, type SwarmAnswer } from './pinned-request.js'

/**
 * What a server-proxy that does not know PATHS.identity means: one older than Docker IDs, which
 * answers 401 (the path is not its own, so it wants a token) or 404; it has local accounts only.
 */
export const OLDER_SERVER_KINDS: readonly AccountKind[] = Object.freeze(['local'])

const KINDS: ReadonlySet<string> = new Set<AccountKind>(['local', 'docker-id'])

/** The answer as an IdentityAnswer, or undefined when it is not one. */
export function parseIdentityAnswer (status: number, text: string): IdentityAnswer | undefined {
  if (status !== 200) return undefined
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  const { swarm, kinds } = (typeof doc === 'object' && doc !== null ? doc : {}) as { swarm?: unknown, kinds?: unknown }
  if (typeof swarm !== 'string' || !Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => typeof k === 'string' && KINDS.has(k))) return undefined
  return { swarm, kinds: [...new Set(kinds as AccountKind[])] }
}

function readAnswer (answer: SwarmAnswer, swarm: string): readonly AccountKind[] {
  const parsed = parseIdentityAnswer(answer.status, answer.text)
  // Anything but an identity answer is an older server-proxy (local accounts only); an endpoint
  // that is not swarmgate's at all is found out by the login that follows.
  if (parsed === undefined) return OLDER_SERVER_KINDS
  if (parsed.swarm !== swarm) throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(`${answer.endpoint} is not the swarm ${swarm} (it serves ${parsed.swarm}); check the name and --endpoint`)
  return parsed.kinds
}

/** The kinds of identity the swarm accepts, from the first of `endpoints` that answers. */
export async function acceptedIdentities (endpoints: readonly string[], pin: string, swarm: string): Promise<readonly AccountKind[]> {
  return await askSwarm(endpoints, pin, swarm, { method: 'GET', path: PATHS.identity }, (answer) => readAnswer(answer, swarm))
}
