import t from 'tap'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { Agent, request } from 'undici'
import { PATHS, newStamp } from '@swarmgate/core'
import { startRecordingEngine, startServer } from '../../../test/fixtures/server-proxy.js'
import { createTestIdentity } from '../../../test/fixtures/identity.js'
import { ACCESS_TYPE, REFRESH_TYPE } from '../src/tokens.js'

const ALICE = { grant_type: 'password', username: 'alice', password: 'correct horse battery' }

t.test('token service', async (t) => {
  const engine = await startRecordingEngine()
  const server = await startServer({ engineSocket: engine.socketPath, flags: ['--token-ttl', '2m'], accounts: [{ name: 'alice', password: 'correct horse battery' }, { name: 'bob', password: 'bob password 1' }] })
  t.teardown(async () => { await server.close(); await engine.close() })

  t.test('password grant issues an access and a refresh token with the documented claims', async (t) => {
    const { status, body } = await server.token(ALICE)
    t.equal(status, 200)
    t.match(body, { token_type: 'Bearer', expires_in: 120, swarm: 'alice/test', account: 'alice' })
    const access = decodeJwt(body.access_token as string)
    const header = decodeProtectedHeader(body.access_token as string)
    t.match(header, { alg: 'EdDSA', typ: ACCESS_TYPE })
    t.type(header.kid, 'string')
    t.match(access, { iss: 'swarmgate', sub: 'alice', aud: 'alice/test' })
    t.equal((access.exp as number) - (access.iat as number), 120)
    t.type(access.jti, 'string')
    t.equal(decodeProtectedHeader(body.refresh_token as string).typ, REFRESH_TYPE)
  })

  t.test('wrong password, unknown user and missing fields are refused with OAuth errors', async (t) => {
    t.match(await server.token({ ...ALICE, password: 'nope' }), { status: 400, body: { error: 'invalid_grant', message: /wrong username or password/ } })
    t.match(await server.token({ ...ALICE, username: 'mallory' }), { status: 400, body: { error: 'invalid_grant' } })
    t.match(await server.token({ grant_type: 'password', username: 'alice' }), { status: 400, body: { error: 'invalid_request' } })
    t.match(await server.token({ grant_type: 'client_credentials' }), { status: 400, body: { error: 'unsupported_grant_type' } })
    t.match(await server.token({ ...ALICE, audience: 'bob/other' }), { status: 400, body: { error: 'invalid_target' } })
  })

  t.test('repeated failures for one account from one address are slowed down; other accounts and addresses are not', async (t) => {
    for (let i = 0; i < 3; i++) await server.token({ grant_type: 'password', username: 'bob', password: 'wrong' })
    const res = await request(`${server.url}${PATHS.token}`, { method: 'POST', dispatcher: server.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username: 'bob', password: 'bob password 1' }).toString() })
    t.equal(res.statusCode, 429)
    t.equal(res.headers['retry-after'], '1')
    t.match(await res.body.json(), { error: 'slow_down', message: /for this account from this address; try again in 1 s/ })
    t.equal((await server.token(ALICE)).status, 200)
    // The TCP peer is the source: 127.0.0.2 is another address, whatever X-Forwarded-For says.
    const elsewhere = new Agent({ localAddress: '127.0.0.2', connect: { ca: server.identity.caPem } })
    t.teardown(async () => { await elsewhere.close() })
    const fromElsewhere = await request(`${server.url}${PATHS.token}`, { method: 'POST', dispatcher: elsewhere, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'password', username: 'bob', password: 'bob password 1' }).toString() })
    t.equal(fromElsewhere.statusCode, 200)
    await fromElsewhere.body.dump()
    const forwarded = await request(`${server.url}${PATHS.token}`, { method: 'POST', dispatcher: server.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.1' }, body: new URLSearchParams({ grant_type: 'password', username: 'bob', password: 'bob password 1' }).toString() })
    t.equal(forwarded.statusCode, 429, 'X-Forwarded-For is not believed')
    await forwarded.body.dump()
    const refused = server.logLines().filter((l) => l.msg === 'login refused')
    t.match(refused.at(-1), { account: 'bob', source: '127.0.0.1', reason: 'throttled', scope: 'account-source' })
  })

  t.test('refresh grant returns a new access token; an access token is no refresh token', async (t) => {
    const first = (await server.token(ALICE)).body
    const { status, body } = await server.token({ grant_type: 'refresh_token', refresh_token: first.refresh_token as string })
    t.equal(status, 200)
    t.not(body.access_token, first.access_token)
    t.equal(body.refresh_token, first.refresh_token)
    t.match(await server.token({ grant_type: 'refresh_token', refresh_token: first.access_token as string }), { status: 400, body: { error: 'invalid_grant' } })
  })

  t.test('the JWKS publishes public keys only', async (t) => {
    const res = await fetch(`${server.url}/_swarmgate/v1/jwks.json`, { dispatcher: server.dispatcher } as RequestInit)
    const jwks = await res.json() as { keys: Array<Record<string, unknown>> }
    t.equal(jwks.keys.length, 1)
    t.match(jwks.keys[0], { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' })
    t.notOk('d' in (jwks.keys[0] as object))
  })

  t.test('no password, hash or token is written to the log', async (t) => {
    const text = JSON.stringify(server.logLines())
    t.notMatch(text, 'correct horse')
    t.notMatch(text, 'scrypt$')
    t.notMatch(text, /eyJ[A-Za-z0-9_-]{20,}/)
  })
})

t.test('changing an account stamp revokes its refresh tokens', async (t) => {
  const engine = await startRecordingEngine()
  const identity = await createTestIdentity()
  const first = await startServer({ engineSocket: engine.socketPath, identity })
  const { refresh_token: refreshToken } = (await first.token(ALICE)).body as { refresh_token: string }
  await first.close()
  // Same swarm identity, account store rewritten as `registration users passwd` would.
  await identity.writeAccounts(identity.accountList.map((a) => ({ ...a, stamp: newStamp() })))
  const second = await startServer({ engineSocket: engine.socketPath, identity: identity })
  t.teardown(async () => { await second.close(); await identity.remove(); await engine.close() })
  t.match(await second.token({ grant_type: 'refresh_token', refresh_token: refreshToken }), { status: 400, body: { error: 'invalid_grant', message: /revoked/ } })
})
