// A node agent's check of a manager's node assertion: valid only for its own node, the call's
// exact method and path, within its seconds, signed by the swarm's keys and untouched.
import t from 'tap'
import { generateKeyPairSync } from 'node:crypto'
import { NODE_ASSERTION_HEADER } from '@swarmgate/core'
import { loadSigningKeys, loadVerifyingKeys } from '../../src/signing-keys.js'
import { signToken, type TokenSettings } from '../../src/tokens.js'
import { NODE_ASSERTION_TYPE, signNodeAssertion } from '../../src/nodes/node-assertion.js'
import { checkNodeAssertion } from '../../src/node-agent/assertion-check.js'

const settings: TokenSettings = { issuer: 'swarmgate', audience: 'alice/prod', accessTtl: 60, refreshTtl: 600, clockSkew: 30 }
const NODE = 'w1nodeid0000000000000000a'
const PATH = '/v1.41/containers/c1/logs?stdout=1'

async function keySet (): Promise<Awaited<ReturnType<typeof loadSigningKeys>>> {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as Record<string, string>
  return await loadSigningKeys(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'EdDSA', use: 'sig' }] }))
}

function call (assertion: string | undefined, method = 'GET', url = PATH): { headers: Record<string, string>, method: string, url: string } {
  return { headers: assertion === undefined ? {} : { [NODE_ASSERTION_HEADER.toLowerCase()]: assertion }, method, url }
}

t.test('the agent accepts only a valid assertion of this node and this very call', async (t) => {
  const keys = await keySet()
  const check = { keys: await loadVerifyingKeys(JSON.stringify(keys.jwks)), settings, node: NODE }
  const assertion = await signNodeAssertion(keys, settings, { principal: { name: 'bob', role: 'operator' }, node: NODE, method: 'GET', path: PATH })
  t.same(await checkNodeAssertion(check, call(assertion)), { name: 'bob', role: 'operator' }, 'sign then verify: the principal and role')

  await t.rejects(checkNodeAssertion(check, call(undefined)), { code: 'SG_ERR_AUTH_NO_ASSERTION', statusCode: 401 }, 'none')
  await t.rejects(checkNodeAssertion(check, { ...call(undefined), headers: { authorization: 'Bearer a.b.c' } }), { code: 'SG_ERR_AUTH_NO_ASSERTION' }, 'a bearer token is no assertion')
  await t.rejects(checkNodeAssertion({ ...check, node: 'm1nodeid0000000000000000b' }, call(assertion)), { code: 'SG_ERR_AUTH_ASSERTION_MISMATCH', message: /another node/ }, 'replayed to another node')
  await t.rejects(checkNodeAssertion(check, call(assertion, 'GET', '/v1.41/containers/c2/logs?stdout=1')), { code: 'SG_ERR_AUTH_ASSERTION_MISMATCH', message: /another method or path/ }, 'replayed on another path')
  await t.rejects(checkNodeAssertion(check, call(assertion, 'GET', `${PATH}&follow=1`)), { code: 'SG_ERR_AUTH_ASSERTION_MISMATCH' }, 'the same path with another query')
  await t.rejects(checkNodeAssertion(check, call(assertion, 'DELETE', PATH)), { code: 'SG_ERR_AUTH_ASSERTION_MISMATCH' }, 'another method')
})

t.test('expired, tampered, foreign or of another swarm: refused', async (t) => {
  const keys = await keySet()
  const check = { keys: await loadVerifyingKeys(JSON.stringify(keys.jwks)), settings, node: NODE }
  const claims = { role: 'owner', node: NODE, htm: 'GET', htu: PATH }
  // Expired beyond the tolerated clock skew: an assertion replayed after its seconds.
  const expired = await signToken(keys, settings, NODE_ASSERTION_TYPE, 'alice', -(settings.clockSkew + 1), claims)
  await t.rejects(checkNodeAssertion(check, call(expired)), { code: 'SG_ERR_AUTH_EXPIRED' })

  const valid = await signNodeAssertion(keys, settings, { principal: { name: 'bob', role: 'viewer' }, node: NODE, method: 'GET', path: PATH })
  const [header, payload, signature] = valid.split('.') as [string, string, string]
  const raised = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'owner' })).toString('base64url')
  await t.rejects(checkNodeAssertion(check, call(`${header}.${raised}.${signature}`)), { code: 'SG_ERR_AUTH_BAD_SIGNATURE' }, 'a role raised in the payload')

  const foreign = await signNodeAssertion(await keySet(), settings, { principal: { name: 'alice', role: 'owner' }, node: NODE, method: 'GET', path: PATH })
  await t.rejects(checkNodeAssertion(check, call(foreign)), { code: 'SG_ERR_AUTH_BAD_SIGNATURE' }, 'signed by a key of the same kid that is not the swarm\'s')
  const otherSwarm = await signNodeAssertion(keys, { ...settings, audience: 'mallory/prod' }, { principal: { name: 'alice', role: 'owner' }, node: NODE, method: 'GET', path: PATH })
  await t.rejects(checkNodeAssertion(check, call(otherSwarm)), { code: 'SG_ERR_AUTH_OTHER_SWARM' })
})
