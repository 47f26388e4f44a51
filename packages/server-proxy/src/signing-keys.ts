/**
 * The token signing keys: a JSON Web Key Set of private Ed25519 keys from a swarm secret. The
 * first key signs; every key verifies and is published (public part only) in the JWKS, so tokens
 * signed by a retired key stay valid until they expire.
 */
import { importJWK, type JWK, type CryptoKey } from 'jose'
import { errors } from './errors.js'

export interface SigningKey {
  readonly kid: string
  readonly privateKey: CryptoKey
  readonly publicKey: CryptoKey
  readonly publicJwk: JWK
}

/** What verifies tokens: a public key by `kid`. */
export interface VerifyingKeys {
  readonly byKid: ReadonlyMap<string, { readonly publicKey: CryptoKey }>
}

export interface SigningKeySet extends VerifyingKeys {
  readonly active: SigningKey
  readonly byKid: ReadonlyMap<string, SigningKey>
  /** The public JWKS document served on the jwks endpoint. */
  readonly jwks: { readonly keys: readonly JWK[] }
}

/** Parses the JWKS text; throws SG_ERR_KEYS_INVALID saying what is wrong. */
export async function loadSigningKeys (text: string): Promise<SigningKeySet> {
  let doc: { keys?: unknown }
  try { doc = JSON.parse(text) as { keys?: unknown } } catch { throw errors.SG_ERR_KEYS_INVALID('not JSON') }
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw errors.SG_ERR_KEYS_INVALID('no keys')
  const keys: SigningKey[] = []
  for (const jwk of doc.keys as JWK[]) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.kid !== 'string') {
      throw errors.SG_ERR_KEYS_INVALID('every key must be a private Ed25519 JWK with a kid')
    }
    const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid: jwk.kid, alg: 'EdDSA', use: 'sig' }
    keys.push({
      kid: jwk.kid,
      privateKey: await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA') as CryptoKey,
      publicKey: await importJWK(publicJwk, 'EdDSA') as CryptoKey,
      publicJwk
    })
  }
  return {
    active: keys[0] as SigningKey,
    byKid: new Map(keys.map((k) => [k.kid, k])),
    jwks: { keys: keys.map((k) => k.publicJwk) }
  }
}

/**
 * Parses a JWKS of public (or private: the private part is ignored) Ed25519 keys for verifying
 * only, as node agents hold them (registration's verify-keys secret); throws SG_ERR_KEYS_INVALID.
 */
export async function loadVerifyingKeys (text: string): Promise<VerifyingKeys> {
  let doc: { keys?: unknown }
  try { doc = JSON.parse(text) as { keys?: unknown } } catch { throw errors.SG_ERR_KEYS_INVALID('not JSON') }
  if (!Array.isArray(doc.keys) || doc.keys.length === 0) throw errors.SG_ERR_KEYS_INVALID('no keys')
  const byKid = new Map<string, { readonly publicKey: CryptoKey }>()
  for (const jwk of doc.keys as JWK[]) {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || typeof jwk.kid !== 'string') {
      throw errors.SG_ERR_KEYS_INVALID('every key must be an Ed25519 JWK with a kid')
    }
    byKid.set(jwk.kid, { publicKey: await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x, alg: 'EdDSA' }, 'EdDSA') as CryptoKey })
  }
  return { byKid }
}
