import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { loadSigningKeys, loadVerifyingKeys } from '../src/signing-keys.js'
import { ACCESS_TYPE, signToken, verifyToken, type TokenSettings } from '../src/tokens.js'

const settings: TokenSettings = { issuer: 'swarmgate', audience: 'alice/prod', accessTtl: 60, refreshTtl: 600, clockSkew: 30 }

function privateJwk (kid: string): Record<string, string> {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>
  return { ...jwk, kid, alg: 'EdDSA', use: 'sig' }
}

t.test('a node agent\'s public keys verify what the managers\' keys signed, and nothing else', async (t) => {
  const signing = await loadSigningKeys(JSON.stringify({ keys: [privateJwk('k1'), privateJwk('k0')] }))
  // The public JWKS is what registration's verify-keys secret holds (the signing set without `d`).
  const verifying = await loadVerifyingKeys(JSON.stringify(signing.jwks))
  const token = await signToken(signing, settings, ACCESS_TYPE, 'alice', 60)
  t.match(await verifyToken(verifying, settings, ACCESS_TYPE, token), { sub: 'alice' })

  const other = await loadSigningKeys(JSON.stringify({ keys: [privateJwk('k1')] }))
  const forged = await signToken(other, settings, ACCESS_TYPE, 'alice', 60)
  await t.rejects(verifyToken(verifying, settings, ACCESS_TYPE, forged), { code: 'SG_ERR_AUTH_BAD_SIGNATURE' }, 'a key with the same kid that is not the swarm\'s')
  await t.rejects(loadSigningKeys(JSON.stringify(signing.jwks)), { code: 'SG_ERR_KEYS_INVALID' }, 'public keys sign nothing: server-proxy refuses them as signing keys')
  await t.rejects(loadVerifyingKeys('{"keys":[{"kty":"RSA","kid":"r"}]}'), { code: 'SG_ERR_KEYS_INVALID' })
})
