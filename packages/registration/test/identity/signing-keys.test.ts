import t from 'tap'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { createSigningKeySet, rotateSigningKeySet, verifyingKeySet } from '../../src/identity/signing-keys.js'

t.test('a key set holds one private Ed25519 JWK that signs', async (t) => {
  const text = await createSigningKeySet()
  const { keys } = JSON.parse(text) as { keys: Array<Record<string, string>> }
  t.equal(keys.length, 1)
  const jwk = keys[0] as Record<string, string>
  t.match(jwk, { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
  t.match(jwk.kid, /^[A-Za-z0-9_-]{16}$/)
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' })
  const data = Buffer.from('payload')
  t.ok(verify(null, data, publicKey, sign(null, data, privateKey)))
})

t.test('rotation puts a new key first and keeps old ones as asked', async (t) => {
  const first = await createSigningKeySet()
  const kid0 = (JSON.parse(first) as { keys: Array<{ kid: string }> }).keys[0]?.kid
  const second = rotateSigningKeySet(first)
  const kids = (JSON.parse(second) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid)
  t.equal(kids.length, 2)
  t.equal(kids[1], kid0)
  t.not(kids[0], kid0)
  const third = rotateSigningKeySet(second, 1)
  t.equal((JSON.parse(third) as { keys: unknown[] }).keys.length, 2, 'keep bounds the retired keys')
  t.equal((JSON.parse(rotateSigningKeySet(third, 0)) as { keys: unknown[] }).keys.length, 1)
  t.throws(() => rotateSigningKeySet('{}'), TypeError)
})

t.test('the verifying set is the signing set without its private parts', async (t) => {
  const signing = JSON.parse(rotateSigningKeySet(await createSigningKeySet())) as { keys: Array<Record<string, unknown>> }
  const verifying = JSON.parse(verifyingKeySet(JSON.stringify(signing))) as { keys: Array<Record<string, unknown>> }
  t.equal(verifying.keys.length, 2, 'retired keys too: tokens they signed still verify')
  t.same(verifying.keys, signing.keys.map(({ d: _d, ...rest }) => rest))
  t.notOk(verifying.keys.some((k) => 'd' in k), 'no private key')
})
