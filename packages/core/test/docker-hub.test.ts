import t, { type Test } from 'tap'
import { DockerHubClient, retryAfterSeconds } from '../src/docker-hub.js'
import { startDockerHub, type DockerHub } from '../../../test/fixtures/docker-hub/index.js'

const PAT = 'dckr_pat_alice0123456789'
const OAT = 'dckr_oat_acme0123456789'

/** A stand-in Hub with a plain account, a 2FA account and an organization, and a client trusting its CA. */
async function setup (t: Test, timeoutMs = 5_000): Promise<{ hub: DockerHub, client: DockerHubClient }> {
  const hub = await startDockerHub({
    users: [
      { name: 'alice', password: 'alice password', email: 'alice@example.test', pats: [PAT] },
      { name: 'tfa', password: 'tfa password', twoFactor: true, pats: ['dckr_pat_tfa0123'] },
      { name: 'bob2', password: 'x' },
      { name: 'bobby', password: 'x', fullName: 'Bob Bobson' }
    ],
    orgs: [{ name: 'acme', tokens: [OAT, 'legacy-org-token'], teams: { ops: ['alice', 'bob2', 'bobby'], dev: [] } }]
  })
  const client = new DockerHubClient({ baseUrl: hub.url, ca: hub.caPem, timeoutMs })
  t.teardown(async () => { await client.close(); await hub.close() })
  return { hub, client }
}

/** Every request body and header the stand-in saw, as one string, to look for a secret in. */
const seen = (hub: DockerHub): string => JSON.stringify(hub.requests)

t.test('a password logs in with the token API and the account name comes from /v2/user/', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.checkLogin('Alice', 'alice password'), { ok: true, username: 'alice' }, 'the name Hub returns, not what was typed')
  t.same(await client.checkLogin('alice@example.test', 'alice password'), { ok: true, username: 'alice' }, 'an e-mail logs in as its account')
  const [token, user] = hub.requests
  t.same([token?.method, token?.path, JSON.parse(token?.body ?? '{}')], ['POST', '/v2/auth/token', { identifier: 'Alice', secret: 'alice password' }])
  t.equal(user?.path, '/v2/user/')
  t.match(user?.authorization, /^Bearer hub-/, 'the short-lived access token, not the password')
  t.notMatch(user?.body ?? '', /alice password/)
  t.notOk(hub.requests.some((r) => r.path === '/v2/users/login'), 'the deprecated login is not used when the token API says yes')
})

t.test('a personal access token logs in', async (t) => {
  const { client } = await setup(t)
  t.same(await client.checkLogin('alice', PAT), { ok: true, username: 'alice' })
})

t.test('a wrong password is invalid; a wrong token is never sent to the deprecated login', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.checkLogin('alice', 'wrong'), { ok: false, code: 'invalid' })
  t.same(hub.requests.map((r) => r.path), ['/v2/auth/token', '/v2/users/login'])
  hub.clearRequests()
  t.same(await client.checkLogin('alice', 'dckr_pat_wrong'), { ok: false, code: 'invalid' })
  t.same(hub.requests.map((r) => r.path), ['/v2/auth/token'])
  t.same(await client.checkLogin('nobody', 'whatever'), { ok: false, code: 'invalid' })
})

t.test('a password of a two-factor account is told apart by the deprecated login; its PAT works', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.checkLogin('tfa', 'tfa password'), { ok: false, code: 'two-factor' })
  const login = hub.requests.find((r) => r.path === '/v2/users/login')
  t.same(JSON.parse(login?.body ?? '{}'), { username: 'tfa', password: 'tfa password' })
  t.same(await client.checkLogin('tfa', 'wrong'), { ok: false, code: 'invalid' }, 'a wrong password of a 2FA account is just invalid')
  t.same(await client.checkLogin('tfa', 'dckr_pat_tfa0123'), { ok: true, username: 'tfa' })
})

t.test('an organization access token is refused as a person\'s login', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.checkLogin('acme', OAT), { ok: false, code: 'organization-token' })
  t.same(hub.requests, [], 'a dckr_oat_ token is refused before anything is sent')
  t.same(await client.checkLogin('acme', 'legacy-org-token'), { ok: false, code: 'organization-token' }, 'one without the prefix: Hub will not say who it is')
  t.same(hub.requests.map((r) => r.path), ['/v2/auth/token', '/v2/user/'])
  t.same(await client.checkLogin('acme', 'a password'), { ok: false, code: 'invalid' }, 'an organization has no password')
})

t.test('429 is honoured with its retry-after, and nothing is retried', async (t) => {
  const { hub, client } = await setup(t)
  hub.rateLimit(1, 42, 'retry-after')
  t.same(await client.checkLogin('alice', 'alice password'), { ok: false, code: 'rate-limited', retryAfterSeconds: 42 })
  t.equal(hub.requests.length, 1, 'one request, no loop')
  hub.rateLimit(1, 90, 'x-retry-after')
  const limited = await client.checkLogin('alice', 'alice password')
  t.equal(limited.ok === false && limited.code, 'rate-limited')
  t.ok(limited.ok === false && limited.code === 'rate-limited' && limited.retryAfterSeconds >= 89 && limited.retryAfterSeconds <= 91, 'X-Retry-After as a unix time')
  hub.rateLimit(1, 7)
  t.same(await client.isTeamMember('acme', 'ops', 'alice', OAT), { ok: false, code: 'rate-limited', retryAfterSeconds: 7 })
  hub.rateLimit(1, 7)
  t.same(await client.checkLogin('alice', 'wrong'), { ok: false, code: 'rate-limited', retryAfterSeconds: 7 }, 'a 429 on the 2FA diagnosis is a 429 too')
})

t.test('retry-after: seconds, a unix time, or a default', async (t) => {
  const now = 1_700_000_000_000
  t.equal(retryAfterSeconds({ 'retry-after': '30' }, now), 30)
  t.equal(retryAfterSeconds({ 'x-retry-after': String(now / 1000 + 120) }, now), 120)
  t.equal(retryAfterSeconds({ 'x-retry-after': String(now / 1000 - 5) }, now), 1, 'a time already past waits one second')
  t.equal(retryAfterSeconds({ 'retry-after': 'soon' }, now), 60)
  t.equal(retryAfterSeconds({}, now), 60)
})

t.test('Docker Hub down: connection refused or 503 is unavailable', async (t) => {
  const { hub, client } = await setup(t)
  await hub.setDown('503')
  t.match(await client.checkLogin('alice', 'alice password'), { ok: false, code: 'unavailable', reason: /503/ })
  t.match(await client.isTeamMember('acme', 'ops', 'alice', OAT), { ok: false, code: 'unavailable' })
  await hub.setDown('refused')
  const refused = await client.checkLogin('alice', 'alice password')
  t.match(refused, { ok: false, code: 'unavailable', reason: /could not be reached/ })
  t.notMatch(JSON.stringify(refused), /alice password/, 'the secret is not in the answer')
  await hub.setDown(false)
  t.same(await client.checkLogin('alice', 'alice password'), { ok: true, username: 'alice' }, 'back up on the same URL')
})

t.test('a slow Docker Hub is cut at the deadline', async (t) => {
  const { hub, client } = await setup(t, 300)
  hub.setDelay(2_000)
  const started = Date.now()
  t.match(await client.checkLogin('alice', 'alice password'), { ok: false, code: 'unavailable', reason: /within 300 ms/ })
  t.ok(Date.now() - started < 1_500, 'answered at the deadline, not when Hub did')
})

t.test('a CA it was not given is not trusted', async (t) => {
  const { hub } = await setup(t)
  const stranger = new DockerHubClient({ baseUrl: hub.url, timeoutMs: 5_000 })
  t.teardown(async () => { await stranger.close() })
  t.match(await stranger.checkLogin('alice', 'alice password'), { ok: false, code: 'unavailable' })
})

t.test('team membership is an exact match on Hub\'s fuzzy search, asked with the organization token', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.isTeamMember('acme', 'ops', 'alice', OAT), { ok: true, member: true })
  const [token, members] = hub.requests
  t.same(JSON.parse(token?.body ?? '{}'), { identifier: 'acme', secret: OAT })
  t.equal(members?.path, '/v2/orgs/acme/groups/ops/members')
  t.equal(members?.query.search, 'alice')
  t.match(members?.authorization, /^Bearer hub-/)
  t.same(await client.isTeamMember('acme', 'ops', 'bob', OAT), { ok: true, member: false }, 'bob2 and bobby match the search, bob is not in the team')
  t.same(await client.isTeamMember('acme', 'ops', 'Bobby', OAT), { ok: true, member: false }, 'the case differs: not the same name')
  t.same(await client.isTeamMember('acme', 'dev', 'alice', OAT), { ok: true, member: false })
  t.same(await client.isTeamMember('acme', 'nope', 'alice', OAT), { ok: false, code: 'not-found' })
  t.same(await client.isTeamMember('acme', 'ops', 'alice', 'dckr_oat_revoked'), { ok: false, code: 'org-token-refused' })
  t.same(await client.isTeamMember('acme', 'ops', 'alice', PAT), { ok: false, code: 'org-token-refused' }, 'a person\'s token is no organization token')
})

t.test('an organization access token is checked by its exchange and a read of the organization\'s teams', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.checkOrgToken('acme', OAT), { ok: true, teams: 2 })
  const [token, groups] = hub.requests
  t.same(JSON.parse(token?.body ?? '{}'), { identifier: 'acme', secret: OAT })
  t.same([groups?.method, groups?.path, groups?.query.page_size], ['GET', '/v2/orgs/acme/groups', '1'])
  t.match(groups?.authorization, /^Bearer hub-/, 'the short-lived bearer, not the token')
  t.same(await client.checkOrgToken('acme', 'dckr_oat_revoked'), { ok: false, code: 'org-token-refused' })
  t.same(await client.checkOrgToken('acme', PAT), { ok: false, code: 'org-token-refused' }, 'a person\'s token is no organization token')
  t.same(await client.checkOrgToken('nobody', OAT), { ok: false, code: 'org-token-refused' }, 'another organization\'s name')
  hub.rateLimit(1, 9)
  t.same(await client.checkOrgToken('acme', OAT), { ok: false, code: 'rate-limited', retryAfterSeconds: 9 })
})

t.test('a team is looked up by its name with the organization token', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.teamExists('acme', 'ops', OAT), { ok: true, exists: true })
  t.same(hub.requests.map((r) => r.path), ['/v2/auth/token', '/v2/orgs/acme/groups/ops'])
  t.same(await client.teamExists('acme', 'nope', OAT), { ok: true, exists: false })
  t.same(await client.teamExists('acme', 'ops', 'dckr_oat_revoked'), { ok: false, code: 'org-token-refused' })
  await hub.setDown('503')
  t.match(await client.teamExists('acme', 'ops', OAT), { ok: false, code: 'unavailable' })
})

t.test('someone removed from a team is no member at the next check', async (t) => {
  const { hub, client } = await setup(t)
  t.same(await client.isTeamMember('acme', 'ops', 'bobby', OAT), { ok: true, member: true })
  hub.setOrg({ name: 'acme', tokens: [OAT], teams: { ops: ['alice'] } })
  t.same(await client.isTeamMember('acme', 'ops', 'bobby', OAT), { ok: true, member: false })
})

t.test('no password goes anywhere but the two login endpoints', async (t) => {
  const { hub, client } = await setup(t)
  await client.checkLogin('alice', 'alice password')
  await client.checkLogin('alice', 'wrong')
  await client.checkLogin('tfa', 'tfa password')
  for (const r of hub.requests) {
    if (r.path === '/v2/auth/token' || r.path === '/v2/users/login') continue
    t.notMatch(JSON.stringify(r), /alice password|wrong|tfa password/, `${r.method} ${r.path} carries no password`)
  }
  t.notMatch(seen(hub), /dckr_oat_/, 'no organization token was needed for a login')
})

t.test('settings are checked at construction', async (t) => {
  t.throws(() => new DockerHubClient({ baseUrl: 'http://hub.example', timeoutMs: 1000 }), /must be https/)
  t.throws(() => new DockerHubClient({ baseUrl: 'https://hub.example', timeoutMs: 0 }), /positive/)
})
