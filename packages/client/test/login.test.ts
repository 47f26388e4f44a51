// Login against a real TLS token endpoint made with the swarm identity registration creates.
import t from 'tap'
import { createCa } from '@swarmgate/registration'
import { fingerprintOf, PATHS } from '@swarmgate/core'
import { requestTokens } from '../src/login.js'
import { deadEndpoint, startSwarmEndpoint } from './swarm-endpoint.js'

/** The token endpoint's refusals as server-proxy words them (packages/server-proxy/src/token-routes.ts). */
const REFUSALS: Record<string, { status: number, error: string, code: string, message: string, retryAfter?: string }> = {
  'two-factor password': { status: 400, error: 'invalid_grant', code: 'SG_ERR_LOGIN_TWO_FACTOR', message: 'swarmgate: the Docker ID bob has two-factor authentication: log in with a personal access token (Docker Hub, Account settings, Personal access tokens) instead of the password' },
  dckr_oat_org: { status: 400, error: 'invalid_grant', code: 'SG_ERR_LOGIN_ORG_TOKEN', message: 'swarmgate: an organization access token cannot log a person in: use your own Docker ID with its password or a personal access token' },
  'stranger password': { status: 400, error: 'invalid_grant', code: 'SG_ERR_LOGIN_NOT_ALLOWED', message: 'swarmgate: the Docker ID stranger may not use this swarm: it is not one of its accounts nor a member of a team it names' },
  'hub down': { status: 503, error: 'temporarily_unavailable', code: 'SG_ERR_HUB_UNAVAILABLE', message: 'swarmgate: a Docker ID login needs Docker Hub, which cannot answer now: connection refused; try again in a moment' },
  'hub limited': { status: 503, error: 'temporarily_unavailable', code: 'SG_ERR_HUB_UNAVAILABLE', message: 'swarmgate: a Docker ID login needs Docker Hub, which cannot answer now: rate-limited', retryAfter: '42' }
}

const swarm = await startSwarmEndpoint((req, res) => {
  const form = new URLSearchParams(req.body)
  if (req.path !== PATHS.token) { res.writeHead(404).end('{}'); return }
  if (form.get('audience') !== 'alice/prod') { res.writeHead(400).end(JSON.stringify({ error: 'invalid_target', message: 'swarmgate: this swarm is alice/prod' })); return }
  if (form.get('password') === 'right password' || form.get('refresh_token') === 'rt') {
    res.end(JSON.stringify({ access_token: 'at', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt', swarm: 'alice/prod', account: form.get('username') === 'bob' ? 'docker:bob' : 'alice' }))
    return
  }
  const refusal = REFUSALS[form.get('password') ?? '']
  if (refusal !== undefined) {
    if (refusal.retryAfter !== undefined) res.setHeader('retry-after', refusal.retryAfter)
    res.writeHead(refusal.status).end(JSON.stringify({ error: refusal.error, error_description: refusal.message.replace(/^swarmgate: /, ''), message: refusal.message, code: refusal.code }))
    return
  }
  if (form.get('password') === 'html') { res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a web server</html>'); return }
  res.writeHead(400).end(JSON.stringify({ error: 'invalid_grant', message: 'swarmgate: wrong username or password', code: 'SG_ERR_LOGIN_INVALID' }))
})
t.teardown(swarm.close)
const { endpoint, pin } = swarm
const dead = await deadEndpoint()

t.test('the password grant returns the refresh token and the account the swarm names', async (t) => {
  t.same(await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'alice', password: 'right password' }), { refreshToken: 'rt', account: 'alice' })
  t.same(await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'bob', password: 'right password' }), { refreshToken: 'rt', account: 'docker:bob' }, 'a Docker ID as the swarm names it')
  t.same(await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { refreshToken: 'rt', account: 'alice' })
})

t.test('an unreachable endpoint, or one that is not swarmgate, is skipped for the next one', async (t) => {
  t.same(await requestTokens([dead, endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { refreshToken: 'rt', account: 'alice' })
  await t.rejects(requestTokens([dead], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'rt' }), { code: 'SG_ERR_CLIENT_UNREACHABLE', message: new RegExp(`${dead}: .*ECONNREFUSED`) })
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'alice', password: 'html' }), { code: 'SG_ERR_CLIENT_UNREACHABLE', message: /answered 200 with something that is not a swarmgate answer/ })
})

t.test('a wrong password, a stale login and another swarm are refused with sentences', async (t) => {
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'alice', password: 'wrong' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: 'login refused: wrong username or password for alice/prod (wrong username or password)' })
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'refresh_token', refresh_token: 'old' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /saved login is no longer valid/ })
  await t.rejects(requestTokens([endpoint], pin, 'alice/test', { grant_type: 'refresh_token', refresh_token: 'rt' }), { code: 'SG_ERR_CLIENT_LOGIN_REFUSED', message: /is not the swarm alice\/test/ })
})

t.test('a refusal that says why is shown in the swarm\'s words, not as a wrong password', async (t) => {
  for (const [password, refusal] of Object.entries(REFUSALS)) {
    const code = refusal.status === 503 ? 'SG_ERR_CLIENT_LOGIN_UNAVAILABLE' : 'SG_ERR_CLIENT_LOGIN_REFUSED'
    const err = await requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'bob', password }).then(() => undefined, (e: Error & { code: string }) => e)
    t.equal(err?.code, code, password)
    t.ok(err?.message.includes(refusal.message.replace(/^swarmgate: /, '')), `${password}: ${err?.message ?? ''}`)
    t.notMatch(err?.message ?? '', /wrong username or password|swarmgate: /, password)
  }
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'bob', password: 'two-factor password' }), { message: /two-factor authentication: log in with a personal access token/ })
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'bob', password: 'hub limited' }), { message: /rate-limited; try again in 42 s$/ }, 'Retry-After said when the message does not')
  await t.rejects(requestTokens([endpoint], pin, 'alice/prod', { grant_type: 'password', username: 'bob', password: 'hub down' }), { message: /connection refused; try again in a moment$/ })
})

t.test('a certificate that does not match the pin never gets the password', async (t) => {
  const other = await createCa({ commonName: 'mallory' })
  const before = swarm.requests.length
  await t.rejects(requestTokens([endpoint], fingerprintOf(other.certPem), 'alice/prod', { grant_type: 'password', username: 'alice', password: 'right password' }), { code: 'SG_ERR_TLS_PIN_MISMATCH', message: /did not prove its identity[\s\S]*does not match the pinned fingerprint/ })
  t.equal(swarm.requests.length, before, 'nothing was sent')
})
