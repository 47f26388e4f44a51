// registration's questions to Docker Hub and the sentences their answers become, against the
// stand-in Docker Hub (test/fixtures/docker-hub: a test double, the real one cannot be reached).
import t, { type Test } from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkDockerIdLogin, checkHubUrl, checkOrgToken, checkTeamExists, readHubCaFile, type HubConnection } from '../src/docker-hub.js'
import { startDockerHub, type DockerHub } from '../../../test/fixtures/docker-hub/index.js'

const PAT = 'dckr_pat_alice0123456789'
const OAT = 'dckr_oat_acme0123456789'
const AFTER = 'nothing was created'

async function setup (t: Test): Promise<{ hub: DockerHub, connection: HubConnection }> {
  const hub = await startDockerHub({
    users: [
      { name: 'alice', password: 'alice password', email: 'alice@example.test', pats: [PAT] },
      { name: 'tfauser', password: 'tfa password', twoFactor: true }
    ],
    orgs: [{ name: 'acme', tokens: [OAT], teams: { ops: ['alice'], dev: [] } }]
  })
  t.teardown(async () => { await hub.close() })
  return { hub, connection: { url: hub.url, ca: hub.caPem } }
}

t.test('the owner\'s Docker ID: Docker Hub\'s own name for it, with a password, a PAT or an e-mail', async (t) => {
  const { connection } = await setup(t)
  t.equal(await checkDockerIdLogin(connection, 'alice', 'alice password', AFTER), 'alice')
  t.equal(await checkDockerIdLogin(connection, 'ALICE', PAT, AFTER), 'alice', 'lower case, as Docker Hub has it')
  t.equal(await checkDockerIdLogin(connection, 'alice@example.test', PAT, AFTER), 'alice')
})

t.test('each refusal is a sentence saying what to do, and never quotes the secret', async (t) => {
  const { hub, connection } = await setup(t)
  const refused = async (identifier: string, secret: string): Promise<Error> => await checkDockerIdLogin(connection, identifier, secret, AFTER).then(() => { throw new Error('accepted') }, (err: Error) => err)
  const wrong = await refused('alice', 'not the password')
  t.match(wrong, { code: 'SG_ERR_REGISTRATION_DOCKER_ID', message: /alice: wrong Docker ID, password or personal access token; nothing was created/ })
  t.notMatch(wrong.message, /not the password/)
  t.match(await refused('tfauser', 'tfa password'), { code: 'SG_ERR_REGISTRATION_DOCKER_ID', message: /tfauser has two-factor authentication.*create a personal access token.*give it instead of the password; nothing was created/ })
  t.match(await refused('acme', OAT), { code: 'SG_ERR_REGISTRATION_DOCKER_ID', message: /an organization access token logs no person in/ })
  hub.rateLimit(1, 30)
  t.match(await refused('alice', 'alice password'), { code: 'SG_ERR_REGISTRATION_HUB_UNAVAILABLE', message: /is limiting the requests from this address: try again in 30 s; nothing was created/ })
  await hub.setDown('refused')
  t.match(await refused('alice', 'alice password'), { code: 'SG_ERR_REGISTRATION_HUB_UNAVAILABLE', message: /Docker Hub could not be reached.*nothing was created\. Check that this manager reaches it, and --docker-hub-url and --docker-hub-ca/ })
})

t.test('a Docker Hub whose CA was not given is not trusted', async (t) => {
  const { hub } = await setup(t)
  await t.rejects(checkDockerIdLogin({ url: hub.url, ca: undefined }, 'alice', 'alice password', AFTER), { code: 'SG_ERR_REGISTRATION_HUB_UNAVAILABLE' })
})

t.test('an organization access token: accepted with its team count, or refused', async (t) => {
  const { hub, connection } = await setup(t)
  t.equal(await checkOrgToken(connection, 'acme', OAT, 'nothing was changed'), 2)
  await t.rejects(checkOrgToken(connection, 'acme', 'dckr_oat_revoked', 'nothing was changed'), { code: 'SG_ERR_REGISTRATION_HUB_TOKEN', message: /refused it as an access token of the organization acme.*nothing was changed/ })
  await hub.setDown('503')
  await t.rejects(checkOrgToken(connection, 'acme', OAT, 'nothing was changed'), { code: 'SG_ERR_REGISTRATION_HUB_UNAVAILABLE', message: /503/ })
})

t.test('a team is checked by name with the organization\'s token', async (t) => {
  const { connection } = await setup(t)
  await checkTeamExists(connection, 'acme', 'ops', OAT, 'nothing was changed')
  await t.rejects(checkTeamExists(connection, 'acme', 'Ops', OAT, 'nothing was changed'), { code: 'SG_ERR_REGISTRATION_TEAM', message: /no team "Ops" in the organization acme/ })
  await t.rejects(checkTeamExists(connection, 'acme', 'ops', 'dckr_oat_revoked', 'nothing was changed'), { code: 'SG_ERR_REGISTRATION_HUB_TOKEN', message: /no longer accepts the access token kept for acme: give a new one with hub-token acme/ })
})

t.test('the URL must be https; the CA file must be mounted and hold a certificate', async (t) => {
  t.equal(checkHubUrl('https://hub.example.test:8443'), 'https://hub.example.test:8443')
  t.throws(() => checkHubUrl('http://hub.example.test'), { code: 'SG_ERR_REGISTRATION_HUB_URL', message: /must be https/ })
  t.throws(() => checkHubUrl('hub.example.test'), { code: 'SG_ERR_REGISTRATION_HUB_URL', message: /is not a URL/ })
  const dir = mkdtempSync(join(tmpdir(), 'swarmgate-hub-ca-'))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  const { hub } = await setup(t)
  writeFileSync(join(dir, 'ca.pem'), hub.caPem)
  writeFileSync(join(dir, 'not.pem'), 'hello\n')
  t.equal(await readHubCaFile(join(dir, 'ca.pem')), hub.caPem)
  await t.rejects(readHubCaFile(join(dir, 'missing.pem')), { code: 'SG_ERR_REGISTRATION_HUB_CA', message: /missing\.pem \(ENOENT\); registration runs in a container.*-v "\$PWD\/hub-ca\.pem:\/hub-ca\.pem:ro"/ })
  await t.rejects(readHubCaFile(join(dir, 'not.pem')), { code: 'SG_ERR_REGISTRATION_HUB_CA', message: /holds no PEM certificate/ })
})
