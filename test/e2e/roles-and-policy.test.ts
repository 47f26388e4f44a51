// Roles, the policy document and the audit trail, driven through the registration image on the
// real swarm (issue 10): a store written before roles is migrated on the next run and says so;
// users add --role, set-role (the last owner stays owner), ls; policy check and set refuse a broken
// document with its line and leave the running one in place; a good one becomes the config
// swarmgate-policy-v1 that server-proxy mounts; audit reads server-proxy's own audit lines back.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hashPassword, newStamp } from '../../packages/core/src/accounts.js'
import { dockerJson, ENGINE_SOCKET, LABEL_ARGS, programImage, run, runDocker, TEST_LABEL_PAIR, useEngine, waitFor, type RunResult } from '../testbed/index.js'
import { clearRegistrations, QUICK_UPDATES, swarmgateObjects, type StepOptions } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/roles-${suffix}`
const alicePassword = `alice password ${suffix}`
const danPassword = `dan password ${suffix}`
const SERVICE = 'swarmgate-server-proxy'
const dir = mkdtempSync(join(tmpdir(), 'swarmgate-policy-'))
t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })

const BROKEN = 'version: 1\nroles:\n  deployer:\n    base: admin\n'
const GOOD = 'version: 1\nroles:\n  deployer:\n    base: operator\n    deny: [exec.*]\n'
const GOOD_2 = `${GOOD}  support:\n    base: viewer\n    mode: audit\n`

/**
 * journey-steps' registration step, but with this process's test label on what registration
 * creates: the value `true` it uses is no process mark, so any other test file's clean-up starting
 * meanwhile removes those objects (the service vanished between two steps when tests ran beside).
 */
async function registration (args: readonly string[], opts: StepOptions = {}): Promise<RunResult> {
  return await runDocker(['run', '--rm', '-i', ...LABEL_ARGS, '-v', '/var/run/docker.sock:/var/run/docker.sock', ...(opts.runArgs ?? []), programImage('registration'),
    ...args, ...LABEL_ARGS, '--image', programImage('server-proxy')], { input: opts.input ?? '', timeoutMs: 300_000 })
}

/** `docker run` options mounting `text` as /policy.yaml in the registration container. */
function mounted (name: string, text: string): { runArgs: string[] } {
  const file = join(dir, name)
  writeFileSync(file, text)
  return { runArgs: ['-v', `${file}:/policy.yaml:ro`] }
}

interface ServiceView {
  Spec: { TaskTemplate: { ContainerSpec: { Env?: string[], Configs?: Array<{ File: { Name: string }, ConfigName: string }> } } }
}

async function serviceSpec (): Promise<ServiceView['Spec']['TaskTemplate']['ContainerSpec']> {
  const [service] = await dockerJson<ServiceView[]>(['service', 'inspect', SERVICE])
  return (service as ServiceView).Spec.TaskTemplate.ContainerSpec
}

async function policyConfigs (): Promise<string[]> {
  const r = await runDocker(['config', 'ls', '--filter', 'name=swarmgate-policy', '--format', '{{.Name}}'])
  return r.stdout.split('\n').filter((l) => l !== '').sort()
}

/** A call to server-proxy's published port on this machine, as a client-proxy would send it. */
async function callProxy (method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    // The pin is not what this test is about: the CA is the swarm's own.
    const req = https.request({ host: '127.0.0.1', port: 2376, method, path, headers, rejectUnauthorized: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }) })
    })
    req.on('error', reject)
    req.on('timeout', () => { req.destroy(new Error(`${method} ${path}: no answer in 30 s`)) })
    req.end(body)
  })
}

/** The labels of secret `name`, changed by `change` through the engine API (the CLI cannot). */
async function relabelSecret (name: string, change: (labels: Record<string, string>) => Record<string, string>): Promise<void> {
  const [secret] = await dockerJson<Array<{ ID: string, Version: { Index: number }, Spec: { Name: string, Labels: Record<string, string> } }>>(['secret', 'inspect', name])
  if (secret === undefined) throw new Error(`no secret ${name}`)
  const url = `http://localhost/v1.41/secrets/${secret.ID}/update?version=${secret.Version.Index}`
  const r = await run('curl', ['-sf', '--unix-socket', ENGINE_SOCKET, '-X', 'POST', '-H', 'Content-Type: application/json', '--data-binary', '@-', url], { input: JSON.stringify({ ...secret.Spec, Labels: change(secret.Spec.Labels) }) })
  if (r.code !== 0) throw new Error(`relabelling ${name} failed: ${r.stderr}`)
}

async function secretLabel (name: string, label: string): Promise<string> {
  return (await runDocker(['secret', 'inspect', name, '--format', `{{index .Spec.Labels "${label}"}}`])).stdout.trim()
}

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
})

t.test('a store written before roles: its "user" accounts become operators on the next run, which says so', async (t) => {
  const r = await registration(['--username', 'alice', '--password-stdin', '--name', swarm, ...QUICK_UPDATES], { input: `${alicePassword}\n` })
  t.equal(r.code, 0, r.stderr)
  // What a registration from before roles left: accounts-v2 without the roles label, mounted.
  const hash = await hashPassword(alicePassword)
  const legacy = { version: 1, accounts: ['alice', 'bob', 'carol'].map((name) => ({ name, hash, role: name === 'alice' ? 'owner' : 'user', state: 'active', stamp: newStamp() })) }
  const created = await runDocker(['secret', 'create', '--label', TEST_LABEL_PAIR, '--label', 'io.swarmgate.kind=accounts', '--label', 'io.swarmgate.version=2', '--label', `io.swarmgate.swarm=${swarm}`, 'swarmgate-accounts-v2', '-'], { input: JSON.stringify(legacy) })
  t.equal(created.code, 0, created.stderr)
  const mount = await runDocker(['service', 'update', '--quiet', '--secret-rm', 'swarmgate-accounts-v1', '--secret-add', 'source=swarmgate-accounts-v2,target=swarmgate-accounts,mode=0400', SERVICE], { timeoutMs: 180_000 })
  t.equal(mount.code, 0, mount.stderr)
  // Nor did it label the identity secrets with the component server-proxy protects.
  await relabelSecret('swarmgate-signing-keys-v1', ({ 'io.swarmgate.component': _, ...rest }) => rest)
  t.equal(await secretLabel('swarmgate-signing-keys-v1', 'io.swarmgate.component'), '')

  const again = await registration([])
  t.equal(again.code, 0, again.stderr)
  t.match(again.stdout, /^Migrated 2 accounts from the old role "user" to "operator": bob, carol\.\nSuccessfully registered the swarm as /)
  const ls = await registration(['users', 'ls'])
  t.equal(ls.stdout, 'NAME   KIND   ROLE      STATE\nalice  local  owner     active\nbob    local  operator  active\ncarol  local  operator  active\n')
  t.equal(await secretLabel('swarmgate-accounts-v3', 'io.swarmgate.roles'), 'named', 'the migrated store is not read for migration again')
  t.equal(await secretLabel('swarmgate-signing-keys-v1', 'io.swarmgate.component'), 'server-proxy', 'the old secret is labelled, so server-proxy protects it')
  t.equal(await secretLabel('swarmgate-ca-key-v1', 'io.swarmgate.component'), 'registration')
})

t.test('users add --role, set-role and ls; unknown roles and the last owner are refused', async (t) => {
  const viewer = await registration(['users', 'add', 'dan', '--role', 'viewer', '--password-stdin'], { input: `${danPassword}\n` })
  t.equal(viewer.code, 0, viewer.stderr)
  t.equal(viewer.stdout, 'Added the account dan (viewer).\n', 'nothing left to migrate')
  const custom = await registration(['users', 'add', 'erin', '--role', 'deployer', '--password-stdin'], { input: 'erin password 1\n' })
  t.equal(custom.code, 1)
  t.match(custom.stderr, /"deployer" is not a built-in role \(owner, operator, viewer\) and this swarm has no policy document to define it/)
  const legacy = await registration(['users', 'add', 'erin', '--role', 'user', '--password-stdin'], { input: 'erin password 1\n' })
  t.equal(legacy.code, 1)
  t.match(legacy.stderr, /role of accounts made before roles existed/)

  const setRole = await registration(['users', 'set-role', 'bob', 'viewer'])
  t.equal(setRole.code, 0, setRole.stderr)
  t.match(setRole.stdout, /^Changed the role of bob from operator to viewer/)
  const lastOwner = await registration(['users', 'set-role', 'alice', 'operator'])
  t.equal(lastOwner.code, 1)
  t.match(lastOwner.stderr, /"alice" is the last owner of this swarm and cannot lose the owner role/)
  const ls = await registration(['users', 'ls'])
  t.equal(ls.stdout, 'NAME   KIND   ROLE      STATE\nalice  local  owner     active\nbob    local  viewer    active\ncarol  local  operator  active\ndan    local  viewer    active\n')
})

t.test('policy: none shown, a broken document refused with its line, a good one mounted as swarmgate-policy-v1', async (t) => {
  const none = await registration(['policy', 'show'])
  t.equal(none.code, 0, none.stderr)
  t.match(none.stdout, /no policy document: the built-in roles owner, operator, viewer apply/)

  const check = await registration(['policy', 'check', '/policy.yaml'], mounted('broken.yaml', BROKEN))
  t.equal(check.code, 1)
  t.match(check.stderr, '/policy.yaml: the policy document is not valid: line 4: roles.deployer.base must be owner, operator or viewer')
  const checkStdin = await registration(['policy', 'check', '-'], { input: GOOD })
  t.equal(checkStdin.code, 0, checkStdin.stderr)
  t.match(checkStdin.stdout, /- is a valid policy document \(custom roles deployer\)/)
  const notMounted = await registration(['policy', 'check', '/nowhere.yaml'])
  t.equal(notMounted.code, 1)
  t.match(notMounted.stderr, /cannot read the policy document: \/nowhere.yaml \(ENOENT\); registration runs in a container/)

  const broken = await registration(['policy', 'set', '/policy.yaml'], mounted('broken.yaml', BROKEN))
  t.equal(broken.code, 1)
  t.match(broken.stderr, /line 4: roles.deployer.base must be owner, operator or viewer; nothing was changed/)
  t.same(await policyConfigs(), [], 'no config made')
  t.same((await serviceSpec()).Configs ?? [], [], 'server-proxy unchanged')

  const set = await registration(['policy', 'set', '/policy.yaml'], mounted('good.yaml', GOOD))
  t.equal(set.code, 0, set.stderr)
  t.match(set.stdout, 'Set the policy document swarmgate-policy-v1 (custom roles deployer)')
  t.same(await policyConfigs(), ['swarmgate-policy-v1'])
  const labels = await runDocker(['config', 'inspect', 'swarmgate-policy-v1', '--format', '{{json .Spec.Labels}}'])
  t.match(JSON.parse(labels.stdout) as Record<string, string>, { 'io.swarmgate.component': 'server-proxy', 'io.swarmgate.kind': 'policy', 'io.swarmgate.version': '1', 'io.swarmgate.swarm': swarm })
  const spec = await serviceSpec()
  t.same(spec.Configs?.map((c) => [c.File.Name, c.ConfigName]), [['/run/swarmgate/policy.yaml', 'swarmgate-policy-v1']])
  t.ok(spec.Env?.includes('SWARMGATE_POLICY=/run/swarmgate/policy.yaml'), 'server-proxy is told where it is')
  const task = await runDocker(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${SERVICE}`])
  // The image may have no shell tools (node-local is node alone): node reads the file.
  const inside = await runDocker(['exec', task.stdout.trim().split('\n')[0] as string, 'node', '-e', 'process.stdout.write(require("fs").readFileSync("/run/swarmgate/policy.yaml", "utf8"))'])
  t.equal(inside.stdout, GOOD, 'the running server-proxy has the document')

  const show = await registration(['policy', 'show'])
  t.equal(show.stdout, GOOD)
  t.match(show.stderr, 'The policy document in force is swarmgate-policy-v1')
  const erin = await registration(['users', 'add', 'erin', '--role', 'deployer', '--password-stdin'], { input: 'erin password 1\n' })
  t.equal(erin.code, 0, erin.stderr)
  t.equal(erin.stdout, 'Added the account erin (deployer).\n')
})

t.test('policy set: a broken document leaves the running one; a new one replaces it and the old version goes', async (t) => {
  const broken = await registration(['policy', 'set', '-'], { input: BROKEN })
  t.equal(broken.code, 1)
  t.match(broken.stderr, 'standard input: the policy document is not valid: line 4')
  t.same((await serviceSpec()).Configs?.map((c) => c.ConfigName), ['swarmgate-policy-v1'], 'the running policy stays')
  const unchanged = await registration(['policy', 'set', '-'], { input: GOOD })
  t.match(unchanged.stdout, 'The policy document is unchanged (swarmgate-policy-v1)')
  const second = await registration(['policy', 'set', '-'], { input: GOOD_2 })
  t.equal(second.code, 0, second.stderr)
  t.same(await policyConfigs(), ['swarmgate-policy-v2'], 'v1 removed once server-proxy runs v2')
  t.equal((await registration(['policy', 'show'])).stdout, GOOD_2)
})

t.test('audit reads server-proxy\'s decisions back from its tasks', async (t) => {
  const login = await callProxy('POST', '/_swarmgate/v1/token', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ grant_type: 'password', username: 'dan', password: danPassword }).toString())
  t.equal(login.status, 200, login.body)
  const auth = { authorization: `Bearer ${(JSON.parse(login.body) as { access_token: string }).access_token}` }
  t.equal((await callProxy('GET', '/v1.41/containers/json', auth)).status, 200)
  const name = `swarmgate-test-audit-${suffix}`
  const create = await callProxy('POST', `/v1.41/containers/create?name=${name}`, { ...auth, 'content-type': 'application/json' }, JSON.stringify({ Image: 'busybox', Labels: { 'io.swarmgate.test': TEST_LABEL_PAIR.split('=')[1] } }))
  t.equal(create.status, 403, create.body)
  t.equal((await runDocker(['container', 'inspect', name])).code, 1, 'nothing created')

  const lines = await waitFor('the audit lines of dan', async () => {
    const r = await registration(['audit', '--account', 'dan', '--since', '10m'])
    return r.stdout.includes('/containers/create') ? r : undefined
  }, { timeoutMs: 30_000, intervalMs: 2000 })
  t.match(lines.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}dan\(viewer\) {2}\S+ {2}GET \/containers\/json {2}allowed {2}\S+ {2}200$/m)
  t.match(lines.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}dan\(viewer\) {2}\S+ {2}POST \/containers\/create {2}denied {2}\S+ {2}403$/m)
  t.notMatch(lines.stdout, /alice|bob|erin/, 'only dan\'s lines')
  const denied = await registration(['audit', '--account', 'dan', '--denied'])
  t.equal(denied.code, 0, denied.stderr)
  t.same(denied.stdout.trim().split('\n').map((l) => l.split('  ')[3]), ['POST /containers/create'])
})

t.test('deregister removes the policy configs too', async (t) => {
  const r = await registration(['deregister', '--yes'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /removed 2 service\(s\), 1 network\(s\), \d+ secret\(s\) and 1 policy config\(s\)\./)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
  t.same(await policyConfigs(), [])
})
