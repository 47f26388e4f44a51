// registration's side of Docker ID (issue 12), driven through the registration image on the real
// swarm against the stand-in Docker Hub (a TEST DOUBLE: test/fixtures/docker-hub, over TLS with its
// own CA, listening on the bridge host's address so registration's container reaches it; the CA is
// mounted into that container as a user would): a 2FA password, a wrong password, an organization
// token, an unreachable or rate-limiting Docker Hub each refuse the first registration with their
// sentence and create nothing; on a terminal (tmux), a personal access token registers a Docker ID
// owner; users add --docker-id, the name clash and passwd of a Docker ID; hub-token and teams
// add|ls|rm; the Docker Hub settings are kept across runs; deregister leaves nothing. Deploys
// swarmgate's service: run it in an isolated engine (scripts/isolated-engine.sh).
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dockerJson, LABEL_ARGS, programImage, runDocker, useEngine, waitFor, type RunResult } from '../testbed/index.js'
import { openTerminal } from '../harness/tmux.js'
import { startDockerHub, type DockerHub } from '../fixtures/docker-hub/index.js'
import { bridgeGateway, clearRegistrations, parseClientCommand, QUICK_UPDATES, registration, swarmgateObjects, type StepOptions } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/hubid-${suffix}`
const ALICE_PAT = `dckr_pat_alice${suffix}`
const OAT = `dckr_oat_acme${suffix}`
const TFA_PASSWORD = `tfa password ${suffix}`
const SERVICE = 'swarmgate-server-proxy'
const PROMPT_WAIT_MS = 180_000
let hub: DockerHub
let hubArgs: string[]
let hubMount: StepOptions

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
  hub = await startDockerHub({
    host: await bridgeGateway(),
    users: [
      { name: 'alice', password: `alice password ${suffix}`, email: 'alice@example.test', pats: [ALICE_PAT] },
      { name: 'tfauser', password: TFA_PASSWORD, twoFactor: true },
      { name: 'carol', password: `carol password ${suffix}` }
    ],
    orgs: [{ name: 'acme', tokens: [OAT], teams: { ops: ['carol'] } }]
  })
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-hub-ca-'))
  await writeFile(join(dir, 'hub-ca.pem'), hub.caPem)
  t.teardown(async () => { await hub.close(); await rm(dir, { recursive: true, force: true }) })
  hubMount = { runArgs: ['-v', `${join(dir, 'hub-ca.pem')}:/hub-ca.pem:ro`] }
  hubArgs = ['--docker-hub-url', hub.url, '--docker-hub-ca', '/hub-ca.pem']
})

/** The first registration with a Docker ID owner and `secret` on standard input. */
async function registerDockerId (username: string, secret: string): Promise<RunResult> {
  return await registration(['--identity', 'docker-id', '--username', username, '--password-stdin', '--name', swarm, ...hubArgs], { ...hubMount, input: `${secret}\n` })
}

interface ServiceView { Spec: { TaskTemplate: { ContainerSpec: { Env?: string[], Configs?: Array<{ File: { Name: string }, ConfigName: string }> } } } }

async function serverProxyEnv (): Promise<string[]> {
  const [service] = await dockerJson<ServiceView[]>(['service', 'inspect', SERVICE])
  return service?.Spec.TaskTemplate.ContainerSpec.Env ?? []
}

async function configNames (prefix: string): Promise<string[]> {
  const r = await runDocker(['config', 'ls', '--filter', `name=${prefix}`, '--format', '{{.Name}}'])
  return r.stdout.split('\n').filter((l) => l !== '').sort()
}

t.test('refused by Docker Hub, the first registration says why and creates nothing', async (t) => {
  const tfa = await registerDockerId('tfauser', TFA_PASSWORD)
  t.equal(tfa.code, 1, tfa.stderr)
  t.match(tfa.stderr, /Docker Hub refused the Docker ID: tfauser has two-factor authentication, so Docker Hub takes no password from programs: create a personal access token .* and give it instead of the password; nothing was created/)
  t.notMatch(tfa.stdout + tfa.stderr, TFA_PASSWORD, 'the password is never shown')
  t.ok(hub.requests.some((r) => r.path === '/v2/users/login'), 'the deprecated login told the two-factor account apart')

  const wrong = await registerDockerId('alice', 'not her password')
  t.equal(wrong.code, 1)
  t.match(wrong.stderr, /alice: wrong Docker ID, password or personal access token; nothing was created/)

  hub.clearRequests()
  const org = await registerDockerId('acme', OAT)
  t.equal(org.code, 1)
  t.match(org.stderr, /an organization access token logs no person in/)
  t.same(hub.requests, [], 'an organization token is refused before anything is sent')

  hub.rateLimit(1, 30)
  const limited = await registerDockerId('alice', ALICE_PAT)
  t.equal(limited.code, 1)
  t.match(limited.stderr, /Docker Hub cannot answer now: Docker Hub at https:\/\/.* is limiting the requests from this address: try again in 30 s; nothing was created/)

  await hub.setDown('refused')
  const down = await registerDockerId('alice', ALICE_PAT)
  await hub.setDown(false)
  t.equal(down.code, 1)
  t.match(down.stderr, /Docker Hub could not be reached .*nothing was created\. Check that this manager reaches it, and --docker-hub-url and --docker-hub-ca/)

  const unmounted = await registration(['--identity', 'docker-id', '--username', 'alice', '--password-stdin', '--name', swarm, '--docker-hub-url', hub.url, '--docker-hub-ca', '/hub-ca.pem'], { input: `${ALICE_PAT}\n` })
  t.equal(unmounted.code, 1)
  t.match(unmounted.stderr, /cannot use the Docker Hub CA file: \/hub-ca\.pem \(ENOENT\); registration runs in a container/)

  t.same(await swarmgateObjects(), [], 'no secret, config, network or service was created')
})

t.test('on a terminal: docker-id, then the Docker ID (an e-mail here) and a personal access token, not echoed; the owner is the name Docker Hub gives', async (t) => {
  hub.clearRequests()
  const term = await openTerminal(['docker', 'run', '--rm', '-ti', ...LABEL_ARGS, '-v', '/var/run/docker.sock:/var/run/docker.sock', ...hubMount.runArgs ?? [],
    programImage('registration'), '--name', swarm, ...hubArgs, '--docker-hub-grace', '5m', ...QUICK_UPDATES, ...LABEL_ARGS, '--image', programImage('server-proxy')], { DOCKER_HOST: 'unix:///var/run/docker.sock' })
  t.teardown(async () => { await term.close() })
  await term.waitFor(/^Accounts of this swarm: local .* or docker-id .* \[local\]:$/m, PROMPT_WAIT_MS)
  await term.type('docker-id\r')
  await term.waitFor(/^Use your Docker ID credentials to authenticate:\nDocker ID:$/m)
  await term.type('alice@example.test\r')
  await term.waitFor(/^Password or personal access token:$/m)
  await term.type(`${ALICE_PAT}\r`)
  t.equal(await term.exitStatus(PROMPT_WAIT_MS), 0, 'registered', { screen: await term.screen() })
  const screen = await term.screen()
  t.match(screen, /Checking the Docker ID alice@example\.test with Docker Hub at https:\/\/[\d.]+:\d+\nDocker Hub knows alice@example\.test as alice: alice is the owner/)
  t.match(screen, `Successfully registered the swarm as ${swarm}`)
  t.equal(parseClientCommand(screen).swarm, swarm)
  t.notMatch(screen, ALICE_PAT, 'the token never shows')
  t.same(hub.requests.map((q) => `${q.method} ${q.path}`), ['POST /v2/auth/token', 'GET /v2/user/'], 'a token never goes to the deprecated login')
  t.same(JSON.parse(hub.requests[0]?.body ?? '{}'), { identifier: 'alice@example.test', secret: ALICE_PAT })

  const ls = await registration(['users', 'ls'])
  t.equal(ls.code, 0, ls.stderr)
  t.equal(ls.stdout, 'NAME   KIND       ROLE   STATE\nalice  docker-id  owner  active\n')

  const env = await serverProxyEnv()
  t.ok(env.includes(`SWARMGATE_DOCKER_HUB_URL=${hub.url}`), 'server-proxy asks the same Docker Hub')
  t.ok(env.includes('SWARMGATE_DOCKER_HUB_GRACE=300s'))
  t.ok(env.includes('SWARMGATE_DOCKER_HUB_CA=/run/swarmgate/docker-hub-ca.pem'))
  t.same(await configNames('swarmgate-docker-hub-ca'), ['swarmgate-docker-hub-ca-v1'])
  const [config] = await dockerJson<Array<{ Spec: { Data: string } }>>(['config', 'inspect', 'swarmgate-docker-hub-ca-v1'])
  t.equal(Buffer.from(config?.Spec.Data ?? '', 'base64').toString('utf8'), hub.caPem, 'the CA as the config server-proxy mounts')
  t.equal((await registration(['users', 'rm', 'alice'])).code, 1, 'the last owner stays, Docker ID or not')
})

t.test('users add --docker-id: no password, nothing sent to Docker Hub; a name means one account', async (t) => {
  hub.clearRequests()
  const bobby = await registration(['users', 'add', 'bobby', '--docker-id', '--role', 'viewer'])
  t.equal(bobby.code, 0, bobby.stderr)
  t.equal(bobby.stdout, 'Added the Docker ID bobby (viewer); Docker Hub checks its password or token at each login.\n')
  t.notMatch(bobby.stderr, /Password/, 'no password asked')
  t.same(hub.requests, [], 'nothing sent to Docker Hub')

  const carol = await registration(['users', 'add', 'carol', '--password-stdin'], { input: `carol local password ${suffix}\n` })
  t.equal(carol.code, 0, carol.stderr)
  const clash = await registration(['users', 'add', 'Carol', '--docker-id'])
  t.equal(clash.code, 1)
  t.match(clash.stderr, /"carol" is a local account of this swarm, and a name is one account: at login "carol" means the local account\. The Docker ID carol can still log in as "docker:carol" when a team of this swarm has it/)
  const clash2 = await registration(['users', 'add', 'bobby', '--password-stdin'], { input: 'bobby password 1\n' })
  t.equal(clash2.code, 1)
  t.match(clash2.stderr, /"bobby" is a Docker ID account of this swarm, and a name is one account: choose another name/)
  const passwd = await registration(['users', 'passwd', 'bobby', '--password-stdin'], { input: 'new password 1\n' })
  t.equal(passwd.code, 1)
  t.match(passwd.stderr, /"bobby" is a Docker ID: Docker Hub holds its password, so change it there; to end its logins on this swarm, users rm bobby/)

  t.equal((await registration(['users', 'ls'])).stdout, 'NAME   KIND       ROLE      STATE\nalice  docker-id  owner     active\nbobby  docker-id  viewer    active\ncarol  local      operator  active\n')
})

t.test('hub-token keeps an organization access token Docker Hub accepts; teams add|ls|rm', async (t) => {
  const early = await registration(['teams', 'add', 'acme/ops'])
  t.equal(early.code, 1)
  t.match(early.stderr, /no access token of the organization acme, which reading its teams needs: give one first with hub-token acme --password-stdin/)

  hub.clearRequests()
  const personal = await registration(['hub-token', 'acme', '--password-stdin'], { input: `${ALICE_PAT}\n` })
  t.equal(personal.code, 1)
  t.match(personal.stderr, /that is a personal access token; teams are read with an organization access token/)
  t.same(hub.requests, [], 'refused before anything is sent')
  const revoked = await registration(['hub-token', 'acme', '--password-stdin'], { input: 'dckr_oat_revoked\n' })
  t.equal(revoked.code, 1)
  t.match(revoked.stderr, /Docker Hub refused it as an access token of the organization acme .*; nothing was changed/)

  hub.clearRequests()
  const kept = await registration(['hub-token', 'Acme', '--password-stdin'], { input: `${OAT}\n` })
  t.equal(kept.code, 0, kept.stderr)
  t.equal(kept.stdout, 'Kept the access token of the organization acme (Docker Hub accepted it; it reads 1 team(s)); teams add acme/TEAM --role ROLE maps a team to a role.\n')
  t.same(hub.requests.map((q) => `${q.method} ${q.path}`), ['POST /v2/auth/token', 'GET /v2/orgs/acme/groups'])
  t.same(JSON.parse(hub.requests[0]?.body ?? '{}'), { identifier: 'acme', secret: OAT })

  const missing = await registration(['teams', 'add', 'acme/nope'])
  t.equal(missing.code, 1)
  t.match(missing.stderr, /Docker Hub has no team "nope" in the organization acme/)
  hub.clearRequests()
  const ops = await registration(['teams', 'add', 'acme/ops', '--role', 'operator'])
  t.equal(ops.code, 0, ops.stderr)
  t.equal(ops.stdout, 'Mapped the Docker Hub team acme/ops to the role operator: its members log in with their Docker IDs.\n')
  t.same(hub.requests.map((q) => `${q.method} ${q.path}`), ['POST /v2/auth/token', 'GET /v2/orgs/acme/groups/ops'], 'the team checked with the kept token')
  t.equal((await registration(['teams', 'add', 'acme/ops', '--role', 'viewer'])).code, 1, 'mapped already')

  const ls = await registration(['teams', 'ls'])
  t.equal(ls.code, 0, ls.stderr)
  t.equal(ls.stdout, 'TEAM      ROLE      ORG TOKEN\nacme/ops  operator  kept\nOrganization access tokens kept for: acme\n')
  t.notMatch(ls.stdout + ls.stderr, OAT, 'the token is never printed')

  const removed = await registration(['teams', 'rm', 'acme/ops'])
  t.equal(removed.code, 0, removed.stderr)
  t.equal(removed.stdout, 'Removed the team acme/ops; logins made through it no longer refresh.\n')
  t.equal((await registration(['teams', 'ls'])).stdout, 'TEAM  ROLE  ORG TOKEN\nOrganization access tokens kept for: acme\n')
})

t.test('the Docker Hub settings are kept by later runs and commands, and only a registration run changes them', async (t) => {
  const misplaced = await registration(['users', 'ls', '--docker-hub-url', hub.url])
  t.equal(misplaced.code, 2)
  t.match(misplaced.stderr, /--docker-hub-url change the registration: give them to a registration run without a command/)
  const again = await registration([])
  t.equal(again.code, 0, again.stderr)
  t.match(again.stderr, `This swarm is registered as ${swarm}: keeping its keys, certificates and accounts.`)
  const env = await serverProxyEnv()
  t.ok(env.includes(`SWARMGATE_DOCKER_HUB_URL=${hub.url}`))
  t.ok(env.includes('SWARMGATE_DOCKER_HUB_GRACE=300s'))
  t.ok(env.includes('SWARMGATE_DOCKER_HUB_CA=/run/swarmgate/docker-hub-ca.pem'))
  t.same(await configNames('swarmgate-docker-hub-ca'), ['swarmgate-docker-hub-ca-v1'], 'the same CA config')
  const status = await registration(['status'])
  t.match(status.stdout, `Docker Hub:   ${hub.url}, CA swarmgate-docker-hub-ca-v1, grace 300 s`)

  const noCa = await registration(['--docker-hub-ca', 'none'])
  t.equal(noCa.code, 0, noCa.stderr)
  t.notOk((await serverProxyEnv()).some((e) => e.startsWith('SWARMGATE_DOCKER_HUB_CA=')), 'the system\'s CAs again')
  t.same(await configNames('swarmgate-docker-hub-ca'), [], 'the CA config is gone once server-proxy runs without it')
  const back = await registration(['--docker-hub-ca', '/hub-ca.pem'], hubMount)
  t.equal(back.code, 0, back.stderr)
  t.same(await configNames('swarmgate-docker-hub-ca'), ['swarmgate-docker-hub-ca-v1'], 'given again: a config again')
})

t.test('deregister removes everything, the Docker Hub CA config included', async (t) => {
  const r = await registration(['deregister', '--yes'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /and 1 Docker Hub CA config\(s\)\.\n$/)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
  t.same(await swarmgateObjects(), [])
})
