/**
 * The token service under the reserved prefix, as a fastify plugin: the OAuth 2.0 token endpoint
 * (password and refresh_token grants, for local accounts and Docker IDs), the identities the
 * swarm accepts, the public JWKS and the health endpoint. Docker API traffic
 * never reaches fastify (see app.ts); only these small JSON and form bodies are parsed here.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { PATHS, type IdentityAnswer } from '@swarmgate/core'
import type { SigningKeySet } from './signing-keys.js'
import type { Authenticator } from './authenticator.js'
import type { ThrottleScope } from './identity/login-throttle.js'
import type { LoginGrant } from './identity/directory.js'
import type { HubOutage } from './identity/docker-id.js'
import { ACCESS_TYPE, REFRESH_TYPE, signToken, verifyToken, type TokenSettings, type VerifiedToken } from './tokens.js'

export interface TokenRoutesOptions {
  readonly keys: SigningKeySet
  readonly settings: TokenSettings
  readonly authenticator: Authenticator
  /** Resolves true when the engine answers. */
  readonly engineHealthy: () => Promise<boolean>
}

type OAuthError = 'invalid_request' | 'unsupported_grant_type' | 'invalid_grant' | 'invalid_target' | 'slow_down' | 'temporarily_unavailable'

/** Why a login or refresh was refused, for the client to show (docs/protocol.md, "Token errors"). */
type RefusalCode = 'SG_ERR_LOGIN_INVALID' | 'SG_ERR_LOGIN_TWO_FACTOR' | 'SG_ERR_LOGIN_ORG_TOKEN' | 'SG_ERR_LOGIN_NOT_ALLOWED' | 'SG_ERR_LOGIN_REVOKED' | 'SG_ERR_HUB_UNAVAILABLE'

/** What a slow_down answer says made the attempt wait. */
const SCOPE_WORDS: Readonly<Record<ThrottleScope, string>> = {
  'account-source': 'for this account from this address',
  source: 'from this address',
  account: 'for this account from addresses it has not logged in from'
}

interface TokenBody {
  grant_type?: unknown
  username?: unknown
  password?: unknown
  refresh_token?: unknown
  audience?: unknown
}

function oauthError (reply: FastifyReply, status: number, error: OAuthError, description: string, code?: RefusalCode): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json')
    .send({ error, error_description: description, message: `swarmgate: ${description}`, ...(code === undefined ? {} : { code }) })
}

/** The answer to a login or refresh Docker Hub could not check. */
function hubUnavailable (reply: FastifyReply, outage: HubOutage, what: string): FastifyReply {
  const wait = outage.retryAfterSeconds
  if (wait !== undefined) reply.header('retry-after', String(wait))
  return oauthError(reply, 503, 'temporarily_unavailable', `${what} needs Docker Hub, which cannot answer now: ${outage.reason}; try again ${wait === undefined ? 'in a moment' : `in ${wait} s`}`, 'SG_ERR_HUB_UNAVAILABLE')
}

/** What the token endpoint says to a Docker ID it refuses. */
const REFUSED_WORDS = {
  'two-factor': (typed: string) => `the Docker ID ${typed} has two-factor authentication: log in with a personal access token (Docker Hub, Account settings, Personal access tokens) instead of the password`,
  'organization-token': () => 'an organization access token cannot log a person in: use your own Docker ID with its password or a personal access token',
  'not-allowed': (typed: string) => `the Docker ID ${typed} may not use this swarm: it is not one of its accounts nor a member of a team it names (its owner can add it: registration users add NAME --docker-id)`
} as const
const REFUSED_CODES = { 'two-factor': 'SG_ERR_LOGIN_TWO_FACTOR', 'organization-token': 'SG_ERR_LOGIN_ORG_TOKEN', 'not-allowed': 'SG_ERR_LOGIN_NOT_ALLOWED' } as const

/** Registers the token, identity, JWKS and health routes. */
export async function tokenRoutes (app: FastifyInstance, opts: TokenRoutesOptions): Promise<void> {
  const { keys, settings, authenticator } = opts

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => { done(null, Object.fromEntries(new URLSearchParams(body as string))) })

  app.post<{ Body: TokenBody }>(PATHS.token, { bodyLimit: 64 * 1024 }, async (req, reply) => {
    const body = req.body ?? {}
    if (body.audience !== undefined && body.audience !== settings.audience) {
      return oauthError(reply, 400, 'invalid_target', `this endpoint serves the swarm ${settings.audience}, not ${String(body.audience)}`)
    }
    // The TCP peer, never X-Forwarded-For: that header is whatever the client chose to write.
    const source = req.raw.socket.remoteAddress
    let grant: LoginGrant
    let refreshToken: string | undefined
    if (body.grant_type === 'password') {
      if (typeof body.username !== 'string' || typeof body.password !== 'string' || body.username === '') {
        return oauthError(reply, 400, 'invalid_request', 'username and password are required')
      }
      const result = await authenticator.authenticate(body.username, body.password, source)
      if (!result.ok) {
        const { ok: _, ...refusal } = result
        req.log.warn({ account: body.username, source, ...refusal }, 'login refused')
        if (result.reason === 'invalid') return oauthError(reply, 400, 'invalid_grant', 'wrong username or password', 'SG_ERR_LOGIN_INVALID')
        if (result.reason === 'refused') return oauthError(reply, 400, 'invalid_grant', REFUSED_WORDS[result.code](result.username ?? body.username), REFUSED_CODES[result.code])
        if (result.reason === 'hub-unavailable') return hubUnavailable(reply, result.outage, 'a Docker ID login')
        const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
        reply.header('retry-after', String(seconds))
        return oauthError(reply, 429, 'slow_down', result.reason === 'busy'
          ? `too many logins are being checked at once; try again in ${seconds} s`
          : `too many failed logins ${SCOPE_WORDS[result.scope]}; try again in ${seconds} s`)
      }
      grant = result.grant
      refreshToken = await signToken(keys, settings, REFRESH_TYPE, grant.sub, settings.refreshTtl, ownerClaims(grant))
    } else if (body.grant_type === 'refresh_token') {
      if (typeof body.refresh_token !== 'string') return oauthError(reply, 400, 'invalid_request', 'refresh_token is required')
      let verified: VerifiedToken
      try {
        verified = await verifyToken(keys, settings, REFRESH_TYPE, body.refresh_token)
      } catch (err) {
        return oauthError(reply, 400, 'invalid_grant', `the refresh token is not valid: ${(err as Error).message.replace(/^swarmgate: /, '')}; log in again`)
      }
      const check = await authenticator.refresh(verified, verified.stamp, verified.iat * 1000)
      if (!check.ok) {
        req.log.warn({ account: verified.sub, team: verified.team, source, code: check.code, reason: check.reason }, 'refresh refused')
        if (check.code === 'unavailable') return hubUnavailable(reply, check, 'renewing this Docker ID login')
        return oauthError(reply, 400, 'invalid_grant', `${check.reason}; log in again`, 'SG_ERR_LOGIN_REVOKED')
      }
      if (check.grace) req.log.warn({ account: verified.sub, team: verified.team, source }, 'refresh within the Docker Hub grace period: team membership not checked')
      grant = { sub: verified.sub, stamp: verified.stamp ?? '', ...(verified.team === undefined ? {} : { team: verified.team }) }
      refreshToken = body.refresh_token
    } else {
      return oauthError(reply, 400, 'unsupported_grant_type', 'grant_type must be password or refresh_token')
    }
    const accessToken = await signToken(keys, settings, ACCESS_TYPE, grant.sub, settings.accessTtl, grant.team === undefined ? {} : { team: grant.team })
    req.log.info({ account: grant.sub, team: grant.team, grant: body.grant_type, source }, 'token issued')
    return reply.header('cache-control', 'no-store').send({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: settings.accessTtl,
      refresh_token: refreshToken,
      refresh_expires_in: settings.refreshTtl,
      swarm: settings.audience,
      account: grant.sub
    })
  })

  app.get(PATHS.identity, async (_req, reply) => {
    const answer: IdentityAnswer = { swarm: settings.audience, kinds: authenticator.kinds }
    return reply.header('cache-control', 'no-store').send(answer)
  })

  app.get(PATHS.jwks, async (_req, reply) => reply.header('cache-control', 'max-age=300').send(keys.jwks))

  app.get(PATHS.health, async (_req, reply) => {
    const healthy = await opts.engineHealthy()
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'engine unreachable' })
  })
}

/** The claims of a refresh token that say whose it is. */
function ownerClaims (grant: LoginGrant): Record<string, string> {
  return grant.team === undefined ? { stamp: grant.stamp } : { stamp: grant.stamp, team: grant.team }
}
