/**
 * Logging in to a swarm: the token endpoint of server-proxy (docs/protocol.md), asked through
 * pinned-request.ts. A refusal is shown with the endpoint's own sentence when it says why (a
 * Docker ID with two-factor authentication, an organization token, a Docker ID the swarm does not
 * name, Docker Hub unavailable), so the user learns what to do instead of "wrong password".
 */
import { PATHS } from '@swarmgate/core'
import { errors } from './errors.js'
import { askSwarm, type SwarmAnswer } from './pinned-request.js'

export interface TokenAnswer {
  readonly refreshToken: string
  /** The account the swarm logged in: a Docker ID as `docker:NAME`. */
  readonly account: string
}

export type Grant =
  | { readonly grant_type: 'password', readonly username: string, readonly password: string }
  | { readonly grant_type: 'refresh_token', readonly refresh_token: string }

interface TokenBody {
  readonly access_token?: string
  readonly refresh_token?: string
  readonly account?: string
  readonly error?: string
  readonly error_description?: string
  readonly message?: string
  /** Why a login was refused (server-proxy's RefusalCode), when the endpoint says. */
  readonly code?: string
}

/** The refusal the endpoint says nothing more about than that the name or password is wrong. */
const PLAIN_REFUSAL = 'SG_ERR_LOGIN_INVALID'

function parseBody (text: string): TokenBody | undefined {
  try {
    const body = JSON.parse(text) as unknown
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as TokenBody : undefined
  } catch {
    return undefined
  }
}

/** The endpoint's sentence, without the `swarmgate: ` every server-proxy message starts with. */
function sentence (body: TokenBody, status: number): string {
  return (body.message ?? body.error_description ?? body.error ?? `status ${status}`).replace(/^swarmgate: /, '')
}

function readAnswer (answer: SwarmAnswer, swarm: string, grant: Grant): TokenAnswer | undefined {
  const { endpoint, status } = answer
  const body = parseBody(answer.text)
  if (body === undefined) return undefined
  if (status === 200 && typeof body.refresh_token === 'string') {
    return { refreshToken: body.refresh_token, account: body.account ?? (grant.grant_type === 'password' ? grant.username : '') }
  }
  const why = sentence(body, status)
  if (body.error === 'invalid_grant') {
    if (grant.grant_type === 'refresh_token') throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(`the saved login is no longer valid (${why})`)
    // A coded refusal says what to do (use a personal access token, ask the owner); an older
    // server-proxy sends no code.
    if (body.code !== undefined && body.code !== PLAIN_REFUSAL && body.message !== undefined) throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(why)
    throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(`wrong username or password for ${swarm} (${why})`)
  }
  // The server says how long to wait (its message, and Retry-After): per account and address, per address, or a busy queue.
  if (body.error === 'slow_down') throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(why)
  if (body.error === 'temporarily_unavailable') {
    const retryAfter = answer.headers['retry-after']
    const wait = retryAfter !== undefined && !/try again/.test(why) ? `; try again in ${retryAfter} s` : ''
    throw errors.SG_ERR_CLIENT_LOGIN_UNAVAILABLE(`${why}${wait}`)
  }
  if (body.error === 'invalid_target') throw errors.SG_ERR_CLIENT_LOGIN_REFUSED(`${endpoint} is not the swarm ${swarm} (${why}); check the name and --endpoint`)
  throw errors.SG_ERR_CLIENT_LOGIN_FAILED(`${endpoint} answered ${status}: ${why}`)
}

/**
 * Asks the swarm for tokens with `grant`, trying `endpoints` in order. A refused login is
 * SG_ERR_CLIENT_LOGIN_REFUSED, one the swarm cannot check now (Docker Hub) is
 * SG_ERR_CLIENT_LOGIN_UNAVAILABLE; when no endpoint could be used the error names each one's
 * problem (pinned-request.ts).
 */
export async function requestTokens (endpoints: readonly string[], pin: string, swarm: string, grant: Grant): Promise<TokenAnswer> {
  const form = new URLSearchParams({ ...grant, audience: swarm })
  return await askSwarm(endpoints, pin, swarm, { method: 'POST', path: PATHS.token, form }, (answer) => readAnswer(answer, swarm, grant))
}
