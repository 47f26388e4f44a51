/**
 * The token service under the reserved prefix, as a fastify plugin: the OAuth 2.0 token endpoint
 * (password and refresh_token grants), the public JWKS and the health endpoint. Docker API traffic
 * never reaches fastify (see app.ts); only these small JSON and form bodies are parsed here.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { PATHS } from '@swarmgate/core'
import type { SigningKeySet } from './signing-keys.js'
import type { Authenticator } from './authenticator.js'
import type { ThrottleScope } from './identity/login-throttle.js'
import { ACCESS_TYPE, REFRESH_TYPE, signToken, verifyToken, type TokenSettings } from './tokens.js'

export interface TokenRoutesOptions {
  readonly keys: SigningKeySet
  readonly settings: TokenSettings
  readonly authenticator: Authenticator
  /** Resolves true when the engine answers. */
  readonly engineHealthy: () => Promise<boolean>
}

type OAuthError = 'invalid_request' | 'unsupported_grant_type' | 'invalid_grant' | 'invalid_target' | 'slow_down'

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

function oauthError (reply: FastifyReply, status: number, error: OAuthError, description: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('application/json')
    .send({ error, error_description: description, message: `swarmgate: ${description}` })
}

/** Registers the token, JWKS and health routes. */
export async function tokenRoutes (app: FastifyInstance, opts: TokenRoutesOptions): Promise<void> {
  const { keys, settings, authenticator } = opts

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => { done(null, Object.fromEntries(new URLSearchParams(body as string))) })

  app.post<{ Body: TokenBody }>(PATHS.token, { bodyLimit: 64 * 1024 }, async (req, reply) => {
    const body = req.body ?? {}
    if (body.audience !== undefined && body.audience !== settings.audience) {
      return oauthError(reply, 400, 'invalid_target', `this endpoint serves the swarm ${settings.audience}, not ${String(body.audience)}`)
    }
    let account: string
    let refreshToken: string | undefined
    if (body.grant_type === 'password') {
      if (typeof body.username !== 'string' || typeof body.password !== 'string' || body.username === '') {
        return oauthError(reply, 400, 'invalid_request', 'username and password are required')
      }
      // The TCP peer, never X-Forwarded-For: that header is whatever the client chose to write.
      const source = req.raw.socket.remoteAddress
      const result = await authenticator.authenticate(body.username, body.password, source)
      if (!result.ok) {
        const { ok: _, ...refusal } = result
        req.log.warn({ account: body.username, source, ...refusal }, 'login refused')
        if (result.reason === 'invalid') return oauthError(reply, 400, 'invalid_grant', 'wrong username or password')
        const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000))
        reply.header('retry-after', String(seconds))
        return oauthError(reply, 429, 'slow_down', result.reason === 'busy'
          ? `too many logins are being checked at once; try again in ${seconds} s`
          : `too many failed logins ${SCOPE_WORDS[result.scope]}; try again in ${seconds} s`)
      }
      account = result.account.name
      refreshToken = await signToken(keys, settings, REFRESH_TYPE, account, settings.refreshTtl, { stamp: result.account.stamp })
    } else if (body.grant_type === 'refresh_token') {
      if (typeof body.refresh_token !== 'string') return oauthError(reply, 400, 'invalid_request', 'refresh_token is required')
      let stamp: string | undefined
      try {
        const verified = await verifyToken(keys, settings, REFRESH_TYPE, body.refresh_token)
        account = verified.sub
        stamp = verified.stamp
      } catch (err) {
        return oauthError(reply, 400, 'invalid_grant', `the refresh token is not valid: ${(err as Error).message.replace(/^swarmgate: /, '')}; log in again`)
      }
      if (authenticator.active(account)?.stamp !== stamp) {
        return oauthError(reply, 400, 'invalid_grant', 'the login was revoked (account removed, disabled or its password changed); log in again')
      }
      refreshToken = body.refresh_token
    } else {
      return oauthError(reply, 400, 'unsupported_grant_type', 'grant_type must be password or refresh_token')
    }
    const accessToken = await signToken(keys, settings, ACCESS_TYPE, account, settings.accessTtl)
    req.log.info({ account, grant: body.grant_type, source: req.raw.socket.remoteAddress }, 'token issued')
    return reply.header('cache-control', 'no-store').send({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: settings.accessTtl,
      refresh_token: refreshToken,
      refresh_expires_in: settings.refreshTtl,
      swarm: settings.audience,
      account
    })
  })

  app.get(PATHS.jwks, async (_req, reply) => reply.header('cache-control', 'max-age=300').send(keys.jwks))

  app.get(PATHS.health, async (_req, reply) => {
    const healthy = await opts.engineHealthy()
    return reply.code(healthy ? 200 : 503).send({ status: healthy ? 'ok' : 'engine unreachable' })
  })
}
