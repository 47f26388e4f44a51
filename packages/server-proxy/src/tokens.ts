/**
 * Signing and verifying swarmgate tokens (docs/protocol.md). Access tokens (`typ: at+jwt`) open
 * the Docker API for at most 15 minutes; refresh tokens (`typ: swarmgate-refresh+jwt`) carry the
 * account's stamp and only buy new access tokens. The two types are never accepted for each other.
 */
import { randomUUID } from 'node:crypto'
import { SignJWT, jwtVerify, errors as jose, type JWTPayload, type JWTHeaderParameters } from 'jose'
import type { SwarmgateError } from '@swarmgate/core'
import type { SigningKeySet, VerifyingKeys } from './signing-keys.js'
import { errors } from './errors.js'

export const ACCESS_TYPE = 'at+jwt'
export const REFRESH_TYPE = 'swarmgate-refresh+jwt'

export interface TokenSettings {
  readonly issuer: string
  readonly audience: string
  readonly accessTtl: number
  readonly refreshTtl: number
  readonly clockSkew: number
}

export interface VerifiedToken {
  readonly sub: string
  readonly iat: number
  readonly exp: number
  readonly jti: string
  readonly stamp?: string
  /** `org/team` when the login was granted through a Docker Hub team. */
  readonly team?: string
}

/** Signs a token of `type` for `sub`, valid for `ttl` seconds from now. */
export async function signToken (keys: SigningKeySet, settings: TokenSettings, type: string, sub: string, ttl: number, extra: JWTPayload = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return await new SignJWT(extra)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.active.kid, typ: type })
    .setIssuer(settings.issuer)
    .setSubject(sub)
    .setAudience(settings.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(keys.active.privateKey)
}

/** Verifies a token of `type`; throws the SwarmgateError naming the check that failed. */
export async function verifyToken (keys: VerifyingKeys, settings: TokenSettings, type: string, token: string): Promise<VerifiedToken> {
  const payload = await verifyClaims(keys, settings, type, token)
  return {
    sub: payload.sub as string,
    iat: payload.iat as number,
    exp: payload.exp as number,
    jti: payload.jti as string,
    ...(typeof payload.stamp === 'string' ? { stamp: payload.stamp } : {}),
    ...(typeof payload.team === 'string' ? { team: payload.team } : {})
  }
}

/** The claims of a token of `type` once its signature, type, issuer, audience and times are checked; throws the SwarmgateError naming the check that failed. */
export async function verifyClaims (keys: VerifyingKeys, settings: Pick<TokenSettings, 'issuer' | 'audience' | 'clockSkew'>, type: string, token: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, async (header: JWTHeaderParameters) => {
      const key = header.kid === undefined ? undefined : keys.byKid.get(header.kid)
      if (key === undefined) throw errors.SG_ERR_AUTH_UNKNOWN_KEY()
      return key.publicKey
    }, {
      issuer: settings.issuer,
      audience: settings.audience,
      typ: type,
      algorithms: ['EdDSA'],
      clockTolerance: settings.clockSkew,
      requiredClaims: ['sub', 'exp', 'nbf', 'iat', 'jti']
    })
    return payload
  } catch (err) {
    throw refusal(err)
  }
}

/** Maps jose's failures to the check that failed. */
function refusal (err: unknown): SwarmgateError {
  if (err instanceof jose.JWTExpired) return errors.SG_ERR_AUTH_EXPIRED()
  if (err instanceof jose.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return errors.SG_ERR_AUTH_NOT_YET_VALID()
    if (err.claim === 'aud') return errors.SG_ERR_AUTH_OTHER_SWARM()
    return errors.SG_ERR_AUTH_CLAIMS(`${err.claim} ${err.reason}`)
  }
  if (err instanceof jose.JWSSignatureVerificationFailed) return errors.SG_ERR_AUTH_BAD_SIGNATURE()
  if (err instanceof jose.JOSEAlgNotAllowed) return errors.SG_ERR_AUTH_ALGORITHM()
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SG_ERR_')) return err as SwarmgateError
  return errors.SG_ERR_AUTH_MALFORMED()
}
