// The journey with Docker IDs (issue 12), against the stand-in Docker Hub (a TEST DOUBLE:
// test/fixtures/docker-hub, over TLS with its own CA, listening where the swarm's tasks reach
// it): the owner registers with a Docker ID's personal access token, logs in with the client and
// uses the docker CLI; a 2FA password and an organization token are refused with their reasons; a
// Docker Hub team gives an operator access; with Docker Hub down a login is refused clearly
// while the team login keeps refreshing within the grace period (and the log says so); once the
// person leaves the team, access ends within one (short) token lifetime; a 429 is passed on;
// deregister leaves nothing.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runDocker, useEngine, waitFor, type RunResult } from '../testbed/index.js'
import { startDockerHub, type DockerHub } from '../fixtures/docker-hub/index.js'
import { bridgeGateway, client, clearRegistrations, exportedHost, parseClientCommand, QUICK_UPDATES, registration, swarmgateObjects, type ClientCommand } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `dora/dockerid-${suffix}`
const DORA_PAT = `dckr_pat_dora${suffix}`
const TOMMY_PAT = `dckr_pat_tommy${suffix}`
const OAT = `dckr_oat_acme${suffix}`
const TOKEN_TTL = 12
// The swarm advertises 127.0.0.1: client and proxy run on the host network to reach it.
const HOST_NET = { runArgs: ['--network', 'host'] }
let hub: DockerHub
let hubArgs: string[]
let hubMount: string[]
let first: ClientCommand

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
  hub = await startDockerHub({
    host: await bridgeGateway(),
    users: [
      { name: 'dora', password: `dora password ${suffix}`, pats: [DORA_PAT] },
      { name: 'tommy', password: `tommy password ${suffix}`, pats: [TOMMY_PAT] },
      { name: 'tfauser', password: `tfa password ${suffix}`, twoFactor: true, pats: [] }
    ],
    orgs: [{ name: 'acme', tokens: [OAT], teams: { ops: ['tommy'] } }]
  })
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-hub-ca-'))
  await writeFile(join(dir, 'hub-ca.pem'), hub.caPem)
  t.teardown(async () => { await hub.close(); await rm(dir, { recursive: true, force: true }) })
  hubMount = ['-v', `${join(dir, 'hub-ca.pem')}:/hub-ca.pem:ro`]
  hubArgs = ['--docker-hub-url', hub.url, '--docker-hub-ca', '/hub-ca.pem']
})

/** Whether `docker version` reaches the engine through the proxy at `host`. */
async function works (host: string): Promise<boolean> {
  return (await runDocker(['version', '--format', '{{.Server.Version}}'], { host, timeoutMs: 30_000 })).code === 0
}

/** The client for `who` with `secret` on standard input; its own volume. */
async function login (who: string, secret: string): Promise<RunResult> {
  return await client(`swarmgate-client-test-${who.replace(/\W/g, '')}-${suffix}`, [swarm, '--endpoint', first.endpoints[0] as string, '--fingerprint', first.fingerprint, '--username', who, '--password-stdin', '--network', 'host', '--quiet'], { ...HOST_NET, input: `${secret}\n` })
}

async function connect (who: string, secret: string): Promise<string> {
  const r = await login(who, secret)
  if (r.code !== 0) throw new Error(`client for ${who} failed: ${r.stderr}`)
  return exportedHost(r.stdout)
}

/** server-proxy's log lines so far, parsed. */
async function serverLog (): Promise<Array<Record<string, unknown>>> {
  const r = await runDocker(['service', 'logs', '--raw', 'swarmgate-server-proxy'], { timeoutMs: 30_000 })
  return (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
}

t.test('the owner registers with a Docker ID\'s personal access token and uses the docker CLI', async (t) => {
  const r = await registration(['--identity', 'docker-id', '--username', 'dora', '--password-stdin', '--name', swarm, '--token-ttl', `${TOKEN_TTL}s`, '--docker-hub-grace', '5m', ...hubArgs, ...QUICK_UPDATES], { input: `${DORA_PAT}\n`, runArgs: hubMount })
  t.equal(r.code, 0, r.stderr)
  first = parseClientCommand(r.stdout)
  const ls = await registration(['users', 'ls'])
  t.match(ls.stdout, /^dora\s+docker-id\s+owner\s+active$/m, ls.stdout)
  const host = await connect('dora', DORA_PAT)
  const nodes = await runDocker(['node', 'ls', '--format', '{{.Self}}'], { host })
  t.equal(nodes.code, 0, nodes.stderr)
  t.equal(nodes.stdout.trim(), 'true', 'docker node ls through the chain')
  t.notOk(hub.requests.some((r) => r.path === '/v2/users/login'), 'a PAT never goes to the deprecated login')
})

t.test('a 2FA password and an organization token are refused with their reasons', async (t) => {
  t.equal((await registration(['users', 'add', 'tfauser', '--docker-id', '--role', 'viewer'])).code, 0)
  const tfa = await login('tfauser', `tfa password ${suffix}`)
  t.equal(tfa.code, 1)
  t.match(tfa.stderr, /two-factor authentication: log in with a personal access token/)
  const org = await login('acme', OAT)
  t.equal(org.code, 1)
  t.match(org.stderr, /organization access token cannot log a person in/)
})

// One engine runs one client-proxy per swarm: the team member tommy's replaces dora's.
let tommyHost: string
t.test('a Docker Hub team gives its members the operator role', async (t) => {
  const token = await registration(['hub-token', 'acme', '--password-stdin'], { input: `${OAT}\n` })
  t.equal(token.code, 0, token.stderr)
  const team = await registration(['teams', 'add', 'acme/ops', '--role', 'operator'])
  t.equal(team.code, 0, team.stderr)
  tommyHost = await connect('tommy', TOMMY_PAT)
  t.ok(await works(tommyHost))
  const denied = await runDocker(['run', '--rm', '--privileged', 'swarmgate-test-does-not-matter'], { host: tommyHost, timeoutMs: 60_000 })
  t.match(denied.stderr, /operator may not/, 'the operator role is enforced')
})

t.test('Docker Hub down: a login is refused saying so; a team login refreshes within the grace period', async (t) => {
  await hub.setDown('refused')
  const r = await login('dora', DORA_PAT)
  t.equal(r.code, 1)
  t.match(r.stderr, /needs Docker Hub, which cannot answer now/)
  // Past one token lifetime: tommy's proxy has refreshed while Docker Hub was down.
  await new Promise((resolve) => setTimeout(resolve, (TOKEN_TTL + 5) * 1000))
  t.ok(await works(tommyHost), 'tommy still works')
  await waitFor('the grace refresh in the log', async () => (await serverLog()).some((l) => l.msg === 'refresh within the Docker Hub grace period: team membership not checked' && l.account === 'docker:tommy') ? true : undefined, { timeoutMs: 30_000, intervalMs: 2000 })
  await hub.setDown(false)
})

t.test('removed from the team, a member loses access within one token lifetime', async (t) => {
  hub.setOrg({ name: 'acme', tokens: [OAT], teams: { ops: [] } })
  const started = Date.now()
  await waitFor('tommy\'s proxy to be refused', async () => await works(tommyHost) ? undefined : true, { timeoutMs: (TOKEN_TTL + 45) * 1000, intervalMs: 2000 })
  t.comment(`refused ${Math.round((Date.now() - started) / 1000)} s after leaving the team (token lifetime ${TOKEN_TTL} s)`)
  const refused = await runDocker(['version'], { host: tommyHost })
  t.match(refused.stderr, /swarmgate/, `the CLI shows swarmgate's reason: ${refused.stderr.trim()}`)
})

t.test('a 429 from Docker Hub is passed on with its wait', async (t) => {
  hub.rateLimit(1, 40)
  const r = await login('dora', DORA_PAT)
  t.equal(r.code, 1)
  t.match(r.stderr, /limiting the requests of this swarm; try again in \d+ s/)
})

t.test('deregister leaves no swarmgate object', async (t) => {
  const r = await registration(['deregister', '--yes'])
  t.equal(r.code, 0, r.stderr)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
  t.same(await swarmgateObjects(), [])
})
