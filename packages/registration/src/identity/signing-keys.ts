/**
 * The token signing keys, a JSON Web Key Set of private Ed25519 keys (docs/protocol.md): the first
 * key signs, the others stay so tokens they signed still verify until those expire.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'

export interface PrivateJwk {
  readonly kty: 'OKP'
  readonly crv: 'Ed25519'
  readonly x: string
  readonly d: string
  readonly kid: string
  readonly alg: 'EdDSA'
  readonly use: 'sig'
}

/** A new private Ed25519 JWK with a random `kid`. */
export function createSigningKey (): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519')
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string, d: string }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid: randomBytes(12).toString('base64url'), alg: 'EdDSA', use: 'sig' }
}

/** JSON text of a new key set with one signing key. */
export async function createSigningKeySet (): Promise<string> {
  return serialize([createSigningKey()])
}

/**
 * JSON text of `current` with a new signing key in front. The old keys are kept (at most `keep`
 * of them) so refresh tokens they signed stay valid; pass keep 0 to drop them and so revoke every
 * token issued before.
 */
export function rotateSigningKeySet (current: string, keep = 1): string {
  const { keys } = JSON.parse(current) as { keys?: unknown }
  if (!Array.isArray(keys)) throw new TypeError('the signing key set has no "keys" list')
  return serialize([createSigningKey(), ...(keys as PrivateJwk[]).slice(0, keep)])
}

/**
 * JSON text of the public half of the key set `signing`: what a node agent verifies tokens with. It
 * can verify every token the set signed and sign none, so no node but the managers holds a key
 * that makes tokens.
 */
export function verifyingKeySet (signing: string): string {
  const { keys } = JSON.parse(signing) as { keys?: unknown }
  if (!Array.isArray(keys)) throw new TypeError('the signing key set has no "keys" list')
  return JSON.stringify({ keys: (keys as PrivateJwk[]).map(({ d: _private, ...rest }) => rest) }, null, 2) + '\n'
}

function serialize (keys: readonly PrivateJwk[]): string {
  return JSON.stringify({ keys }, null, 2) + '\n'
}
