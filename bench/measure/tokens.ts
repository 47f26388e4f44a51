/**
 * What checking an access token costs server-proxy per Docker API call, in process: a full
 * verification (jose, EdDSA signature and claims) against a hit in the verified-token cache,
 * which is what every call after the first with the same token costs.
 */
import { createSigningKeySet } from '@swarmgate/registration'
import { loadSigningKeys } from '../../packages/server-proxy/src/signing-keys.js'
import { ACCESS_TYPE, signToken, verifyToken, type TokenSettings } from '../../packages/server-proxy/src/tokens.js'
import { AccessCache } from '../../packages/server-proxy/src/access-cache.js'

export interface TokenFigure {
  readonly verifyMicroseconds: number
  readonly cachedMicroseconds: number
  readonly iterations: number
}

const SETTINGS: TokenSettings = { issuer: 'swarmgate', audience: 'alice/bench', accessTtl: 900, refreshTtl: 86400, clockSkew: 30 }

/** Times `iterations` verifications and 100 times as many cache hits. */
export async function measureTokens (iterations: number): Promise<TokenFigure> {
  const keys = await loadSigningKeys(await createSigningKeySet())
  const token = await signToken(keys, SETTINGS, ACCESS_TYPE, 'alice', SETTINGS.accessTtl)
  const cache = new AccessCache(50_000, SETTINGS.clockSkew)
  // Warm-up: the JIT and jose's key handling settle before timing.
  for (let i = 0; i < 200; i++) cache.set(token, await verifyToken(keys, SETTINGS, ACCESS_TYPE, token))

  let started = performance.now()
  for (let i = 0; i < iterations; i++) await verifyToken(keys, SETTINGS, ACCESS_TYPE, token)
  const verifyMicroseconds = (performance.now() - started) * 1000 / iterations

  const hits = iterations * 100
  let found = 0
  started = performance.now()
  for (let i = 0; i < hits; i++) if (cache.get(token) !== undefined) found++
  const cachedMicroseconds = (performance.now() - started) * 1000 / hits
  if (found !== hits) throw new Error('the verified-token cache missed')
  return { verifyMicroseconds, cachedMicroseconds, iterations }
}
