/**
 * Docker ID logins through a real server-proxy, against the stand-in Docker Hub (a TEST DOUBLE:
 * test/fixtures/docker-hub, over TLS with its own CA given as --docker-hub-ca).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { decodeJwt } from 'jose'
import { request } from 'undici'
import { PATHS, hashPassword, newStamp, type Account, type TeamGrant } from '@swarmgate/core'
import { startRecordingEngine, startServer, type RecordingEngine, type RunningServer } from '../../../test/fixtures/server-proxy.js'
import { createTestIdentity } from '../../../test/fixtures/identity.js'
import { startDockerHub, type DockerHub } from '../../../test/fixtures/docker-hub/index.js'

const DORA_PAT = 'dckr_pat_dora0123456789'
const TOMMY_PAT = 'dckr_pat_tommy0123456789'
const OAT = 'dckr_oat_acme0123456789'

const dockerId = (name: string, role: string, state: Account['state'] = 'active'): Account => ({ name, kind: 'docker-id', role, state, stamp: newStamp() })
const team = (org: string, name: string, role: string): TeamGrant => ({ org, team: name, role, stamp: newStamp() })

interface Setup {
  hub: DockerHub
  engine: RecordingEngine
  server: RunningServer
  /** Logs in with a password grant; returns status and body. */
  login: (username: string, password: string) => Promise<{ status: number, body: Record<string, unknown>, retryAfter?: string }>
  refresh: (token: string) => Promise<{ status: number, body: Record<string, unknown> }>
  /** A Docker API call with an access token; returns the status. */
  call: (accessToken: string) => Promise<number>
}

/**
 * A swarm with a local owner alice, a local account tommy (a name a Docker ID also has), the Docker
 * ID dora (owner), the disabled Docker ID daniel, and the team acme/ops mapped to operator.
 */
async function setup (t: Test, flags: string[] = []): Promise<Setup> {
  const hub = await startDockerHub({
    users: [
      { name: 'dora', password: 'dora password', email: 'dora@example.test', pats: [DORA_PAT] },
      { name: 'tommy', password: 'tommy hub password', pats: [TOMMY_PAT] },
      { name: 'tfauser', password: 'tfauser password', twoFactor: true, pats: ['dckr_pat_tfa0123'] },
      { name: 'daniel', password: 'daniel password' },
      { name: 'zelda', password: 'zelda password' }
    ],
    orgs: [{ name: 'acme', tokens: [OAT], teams: { ops: ['tommy'] } }]
  })
  t.teardown(async () => { await hub.close() })
  const identity = await createTestIdentity('alice/test')
  t.teardown(async () => { await identity.remove() })
  const hubCa = join(identity.dir, 'hub-ca.pem')
  await writeFile(hubCa, hub.caPem)
  await identity.writeAccounts([
    { name: 'alice', kind: 'local', hash: await hashPassword('correct horse battery'), role: 'owner', state: 'active', stamp: newStamp() },
    { name: 'tommy', kind: 'local', hash: await hashPassword('tommy local password'), role: 'viewer', state: 'active', stamp: newStamp() },
    dockerId('dora', 'owner'),
    dockerId('daniel', 'operator', 'disabled')
  ], { teams: [team('acme', 'ops', 'operator')], hubTokens: { acme: OAT } })
  const engine = await startRecordingEngine()
  t.teardown(async () => { await engine.close() })
  const server = await startServer({ engineSocket: engine.socketPath, identity, flags: ['--docker-hub-url', hub.url, '--docker-hub-ca', hubCa, ...flags] })
  t.teardown(async () => { await server.close() })
  const post = async (form: Record<string, string>): Promise<{ status: number, body: Record<string, unknown>, retryAfter?: string }> => {
    const res = await request(`${server.url}${PATHS.token}`, { method: 'POST', dispatcher: server.dispatcher, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
    const retryAfter = res.headers['retry-after']
    return { status: res.statusCode, body: await res.body.json() as Record<string, unknown>, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) }
  }
  return {
    hub,
    engine,
    server,
    login: async (username, password) => await post({ grant_type: 'password', username, password }),
    refresh: async (token) => await post({ grant_type: 'refresh_token', refresh_token: token }),
    call: async (accessToken) => {
      const res = await request(`${server.url}/v1.45/containers/json`, { dispatcher: server.dispatcher, headers: { authorization: `Bearer ${accessToken}` } })
      await res.body.dump()
      return res.statusCode
    }
  }
}

/** Every log line of the server, as one string, to look for a secret in. */
const logText = (server: RunningServer): string => JSON.stringify(server.logLines())

t.test('the identity endpoint says which identities a swarm accepts', async (t) => {
  const { server } = await setup(t)
  const res = await request(`${server.url}${PATHS.identity}`, { dispatcher: server.dispatcher })
  t.same(await res.body.json(), { swarm: 'alice/test', kinds: ['local', 'docker-id'] })
  const engine = await startRecordingEngine()
  const local = await startServer({ engineSocket: engine.socketPath })
  t.teardown(async () => { await local.close(); await engine.close() })
  const plain = await request(`${local.url}${PATHS.identity}`, { dispatcher: local.dispatcher })
  t.same(await plain.body.json(), { swarm: 'alice/test', kinds: ['local'] }, 'a swarm of local accounts only')
})

t.test('a Docker ID account logs in with a PAT, a password or its e-mail, as Docker Hub names it', async (t) => {
  const { server, login, call, hub } = await setup(t)
  for (const [typed, secret] of [['dora', DORA_PAT], ['Dora', 'dora password'], ['dora@example.test', DORA_PAT], ['docker:dora', DORA_PAT]] as const) {
    const { status, body } = await login(typed, secret)
    t.equal(status, 200, `${typed} logs in`)
    t.equal(body.account, 'docker:dora', 'the subject is the Docker ID Docker Hub returned')
    t.equal(decodeJwt(body.access_token as string).sub, 'docker:dora')
    t.equal(await call(body.access_token as string), 200, 'its access token opens the Docker API')
  }
  const audit = server.logLines().filter((l) => l.msg === 'audit').at(-1)
  t.match(audit, { account: 'docker:dora', role: 'owner', decision: 'allow' })
  t.notMatch(logText(server), /dora password|dckr_pat_dora/, 'no secret in the log')
  t.ok(hub.requests.every((r) => r.path.startsWith('/v2/')), 'only Docker Hub API paths were asked')
})

t.test('refusals say why: wrong secret, two-factor password, organization token, not allowed, disabled', async (t) => {
  const { login, hub } = await setup(t)
  t.match(await login('dora', 'wrong'), { status: 400, body: { error: 'invalid_grant', code: 'SG_ERR_LOGIN_INVALID', message: /wrong username or password/ } })
  t.match(await login('tfauser', 'tfauser password'), { status: 400, body: { code: 'SG_ERR_LOGIN_TWO_FACTOR', message: /two-factor authentication: log in with a personal access token/ } })
  t.match(await login('acme', OAT), { status: 400, body: { code: 'SG_ERR_LOGIN_ORG_TOKEN', message: /organization access token cannot log a person in/ } })
  t.notOk(hub.requests.some((r) => r.body.includes(OAT)), 'an organization token typed as a login is never sent to Docker Hub')
  t.match(await login('zelda', 'zelda password'), { status: 400, body: { code: 'SG_ERR_LOGIN_NOT_ALLOWED', message: /zelda may not use this swarm/ } })
  t.match(await login('daniel', 'daniel password'), { status: 400, body: { code: 'SG_ERR_LOGIN_NOT_ALLOWED' } }, 'a disabled Docker ID account')
})

t.test('a name that is a local account logs in locally; docker:NAME is the Docker ID of that name', async (t) => {
  const { login, hub } = await setup(t)
  hub.clearRequests()
  t.match(await login('tommy', 'tommy local password'), { status: 200, body: { account: 'tommy' } })
  t.match(await login('tommy', TOMMY_PAT), { status: 400, body: { code: 'SG_ERR_LOGIN_INVALID' } }, 'the local account is meant')
  t.equal(hub.requests.length, 0, 'Docker Hub was not asked about a local account')
  t.match(await login('docker:tommy', TOMMY_PAT), { status: 200, body: { account: 'docker:tommy' } })
})

t.test('a team member gets the team role; removed from the team, the refresh is refused', async (t) => {
  const { login, refresh, call, hub, server } = await setup(t)
  const { status, body } = await login('docker:tommy', TOMMY_PAT)
  t.equal(status, 200)
  t.match(decodeJwt(body.access_token as string), { sub: 'docker:tommy', team: 'acme/ops' })
  t.equal(await call(body.access_token as string), 200)
  t.match(server.logLines().filter((l) => l.msg === 'audit').at(-1), { account: 'docker:tommy', role: 'operator' })
  t.match(await refresh(body.refresh_token as string), { status: 200 }, 'still a member: the refresh works')
  hub.setOrg({ name: 'acme', tokens: [OAT], teams: { ops: [] } })
  t.match(await refresh(body.refresh_token as string), { status: 400, body: { code: 'SG_ERR_LOGIN_REVOKED', message: /tommy is no longer a member of the team acme\/ops/ } })
  t.match(await login('docker:tommy', TOMMY_PAT), { status: 400, body: { code: 'SG_ERR_LOGIN_NOT_ALLOWED' } })
})

t.test('Docker Hub down: a login is refused saying so; a team refresh within the grace period works and is logged', async (t) => {
  const { login, refresh, hub, server } = await setup(t)
  const { body } = await login('docker:tommy', TOMMY_PAT)
  await hub.setDown('refused')
  t.match(await login('dora', DORA_PAT), { status: 503, body: { error: 'temporarily_unavailable', code: 'SG_ERR_HUB_UNAVAILABLE', message: /Docker ID login needs Docker Hub, which cannot answer now: Docker Hub could not be reached/ } })
  t.match(await refresh(body.refresh_token as string), { status: 200 }, 'within the grace period')
  t.match(server.logLines().filter((l) => l.msg === 'refresh within the Docker Hub grace period: team membership not checked').at(-1), { account: 'docker:tommy', team: 'acme/ops' })
  await hub.setDown(false)
})

t.test('without a grace period, a team refresh needs Docker Hub', async (t) => {
  const { login, refresh, hub } = await setup(t, ['--docker-hub-grace', '0'])
  const { body } = await login('docker:tommy', TOMMY_PAT)
  await hub.setDown('503')
  t.match(await refresh(body.refresh_token as string), { status: 503, body: { code: 'SG_ERR_HUB_UNAVAILABLE', message: /renewing this Docker ID login needs Docker Hub/ } })
  await hub.setDown(false)
})

t.test('a 429 is honoured: nobody asks Docker Hub again before its time', async (t) => {
  const { login, hub } = await setup(t)
  hub.rateLimit(1, 30)
  const first = await login('dora', DORA_PAT)
  t.match(first, { status: 503, retryAfter: '30', body: { code: 'SG_ERR_HUB_UNAVAILABLE', message: /limiting the requests of this swarm; try again in 30 s/ } })
  const asked = hub.requests.length
  const second = await login('dora', DORA_PAT)
  t.equal(second.status, 503)
  t.ok(Number(second.retryAfter) >= 29 && Number(second.retryAfter) <= 30, `the remaining wait (${String(second.retryAfter)} s)`)
  t.equal(hub.requests.length, asked, 'the second login did not reach Docker Hub')
})
