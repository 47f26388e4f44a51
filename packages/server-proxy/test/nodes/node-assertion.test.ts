// The node assertion a manager signs for one call to a node agent: what it carries, and that it
// is of its own type (an access token is never taken for it, nor it for an access token).
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { loadSigningKeys, loadVerifyingKeys } from '../../src/signing-keys.js'
import { ACCESS_TYPE, signToken, verifyClaims, verifyToken, type TokenSettings } from '../../src/tokens.js'
import { NODE_ASSERTION_TTL, NODE_ASSERTION_TYPE, signNodeAssertion } from '../../src/nodes/node-assertion.js'

const settings: TokenSettings = { issuer: 'swarmgate', audience: 'alice/prod', accessTtl: 60, refreshTtl: 600, clockSkew: 30 }

async function keySet (): Promise<Awaited<ReturnType<typeof loadSigningKeys>>> {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>
  return await loadSigningKeys(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'EdDSA', use: 'sig' }] }))
}

t.test('an assertion names the principal, role, node, method and path, and lives seconds', async (t) => {
  const keys = await keySet()
  const before = Math.floor(Date.now() / 1000)
  const assertion = await signNodeAssertion(keys, settings, { principal: { name: 'bob', role: 'operator' }, node: 'n0de1d', method: 'POST', path: '/v1.41/exec/e1/start' })
  t.match(decodeProtectedHeader(assertion), { alg: 'EdDSA', kid: 'k1', typ: NODE_ASSERTION_TYPE })
  const claims = decodeJwt(assertion)
  t.match(claims, { iss: 'swarmgate', aud: 'alice/prod', sub: 'bob', role: 'operator', node: 'n0de1d', htm: 'POST', htu: '/v1.41/exec/e1/start' })
  t.ok((claims.exp as number) - before <= NODE_ASSERTION_TTL && NODE_ASSERTION_TTL <= 15, 'an expiry of seconds')
  t.ok(typeof claims.jti === 'string' && claims.jti !== '')
})

t.test('an assertion is no access token, and an access token no assertion', async (t) => {
  const keys = await keySet()
  const verifying = await loadVerifyingKeys(JSON.stringify(keys.jwks))
  const assertion = await signNodeAssertion(keys, settings, { principal: { name: 'alice', role: 'owner' }, node: 'n1', method: 'GET', path: '/_ping' })
  await t.rejects(verifyToken(verifying, settings, ACCESS_TYPE, assertion), { code: 'SG_ERR_AUTH_CLAIMS' }, 'a manager\'s token check refuses it')
  const token = await signToken(keys, settings, ACCESS_TYPE, 'alice', 60)
  await t.rejects(verifyClaims(verifying, settings, NODE_ASSERTION_TYPE, token), { code: 'SG_ERR_AUTH_CLAIMS' }, 'an agent\'s check refuses a user\'s token')
})
