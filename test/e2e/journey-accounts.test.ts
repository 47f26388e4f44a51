// Living with a registration: running registration again keeps accounts and fingerprint and the
// users' logins; users add gives a second user access; users rm revokes it once the access token
// it holds expires (a short token lifetime makes that quick); deregister leaves nothing behind.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { runDocker, useEngine, waitFor } from '../testbed/index.js'
import { client, exportedHost, parseClientCommand, clearRegistrations, QUICK_UPDATES, registration, swarmgateObjects, type ClientCommand } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/accounts-${suffix}`
const alicePassword = `alice password ${suffix}`
const bobPassword = `bob password ${suffix}`
const TOKEN_TTL = 15
// The swarm advertises 127.0.0.1: client and proxy run on the host network to reach it.
const HOST_NET = { runArgs: ['--network', 'host'] }
let first: ClientCommand
let aliceHost: string
let bobHost: string

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
})

/** Whether `docker version` reaches the engine through the proxy at `host`. */
async function works (host: string): Promise<boolean> {
  return (await runDocker(['version', '--format', '{{.Server.Version}}'], { host, timeoutMs: 30_000 })).code === 0
}

async function connect (who: string, password: string): Promise<string> {
  const r = await client(`swarmgate-client-test-${who}-${suffix}`, [swarm, '--endpoint', first.endpoints[0] as string, '--fingerprint', first.fingerprint, '--username', who, '--password-stdin', '--network', 'host', '--quiet'], { ...HOST_NET, input: `${password}\n` })
  if (r.code !== 0) throw new Error(`client for ${who} failed: ${r.stderr}`)
  return exportedHost(r.stdout)
}

t.test('register with a short token lifetime; alice connects', async (t) => {
  const r = await registration(['--username', 'alice', '--password-stdin', '--name', swarm, '--token-ttl', `${TOKEN_TTL}s`, ...QUICK_UPDATES], { input: `${alicePassword}\n` })
  t.equal(r.code, 0, r.stderr)
  first = parseClientCommand(r.stdout)
  t.same(first.endpoints, ['127.0.0.1:2376'], 'the default endpoint is the manager\'s advertise address')
  aliceHost = await connect('alice', alicePassword)
  t.ok(await works(aliceHost))
})

t.test('registration again keeps the accounts, the fingerprint and alice\'s login', async (t) => {
  const r = await registration([])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, `This swarm is registered as ${swarm}: keeping its keys, certificates and accounts.`)
  t.notMatch(r.stderr, /Username|Password/, 'nothing asked')
  t.same(parseClientCommand(r.stdout), first, 'the same client command')
  const monitor = await runDocker(['service', 'inspect', 'swarmgate-server-proxy', '--format', '{{.Spec.UpdateConfig.Monitor}}'])
  t.equal(monitor.stdout.trim(), '1s', 'the --update-monitor of the first registration is kept')
  const noMonitor = await registration(['--update-monitor', '0s'])
  t.equal(noMonitor.code, 2)
  t.match(noMonitor.stderr, /--update-monitor must be at least 1s/)
  const renamed = await registration(['--name', 'alice/other'])
  t.equal(renamed.code, 1)
  t.match(renamed.stderr, /already registered under another name: it is registered as/)
  const ls = await registration(['users', 'ls'])
  t.equal(ls.code, 0, ls.stderr)
  t.equal(ls.stdout, 'NAME   KIND   ROLE   STATE\nalice  local  owner  active\n')
  await waitFor('alice\'s proxy to work again after the restart of server-proxy', async () => await works(aliceHost) ? true : undefined, { timeoutMs: 60_000 })
  const again = await client(`swarmgate-client-test-alice-${suffix}`, [swarm], HOST_NET)
  t.equal(again.code, 0, again.stderr)
  t.match(again.stderr, /Using the saved login of alice/)
})

// One engine runs one proxy per swarm (swarmgate_client_proxy_<ns>_<name>): bob's replaces alice's.
t.test('users add gives bob access', async (t) => {
  const short = await registration(['users', 'add', 'bob', '--password-stdin'], { input: 'short\n' })
  t.equal(short.code, 1)
  t.match(short.stderr, /password is not acceptable: it must have at least 10 characters/)
  const r = await registration(['users', 'add', 'bob', '--password-stdin'], { input: `${bobPassword}\n` })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, 'Added the account bob (operator).\n')
  t.equal((await registration(['users', 'ls'])).stdout, 'NAME   KIND   ROLE      STATE\nalice  local  owner     active\nbob    local  operator  active\n')
  const secrets = await runDocker(['secret', 'ls', '--filter', 'name=swarmgate-accounts', '--format', '{{.Name}}'])
  t.equal(secrets.stdout.trim(), 'swarmgate-accounts-v2', 'one accounts secret, the new version')
  bobHost = await connect('bob', bobPassword)
  t.ok(await works(bobHost))
})

t.test('users rm bob: bob\'s proxy fails once its token expires; alice logs in again', async (t) => {
  const r = await registration(['users', 'rm', 'bob'])
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, 'Removed the account bob; its logins no longer refresh.\n')
  await waitFor('bob\'s proxy to be refused', async () => await works(bobHost) ? undefined : true, { timeoutMs: (TOKEN_TTL + 45) * 1000, intervalMs: 2000 })
  const refused = await runDocker(['version'], { host: bobHost })
  t.not(refused.code, 0)
  t.match(refused.stderr, /swarmgate/, `the CLI shows swarmgate's reason: ${refused.stderr.trim()}`)
  const bobAgain = await client(`swarmgate-client-test-bob-${suffix}`, [swarm, '--password-stdin'], { ...HOST_NET, input: `${bobPassword}\n` })
  t.equal(bobAgain.code, 1)
  t.match(bobAgain.stderr, /the saved login is no longer valid[\s\S]*Username: bob[\s\S]*wrong username or password/)
  const alice = await client(`swarmgate-client-test-alice-${suffix}`, [swarm, '--quiet'], HOST_NET)
  t.equal(alice.code, 0, alice.stderr)
  t.notMatch(alice.stderr, /Password/, 'the saved login, nothing asked')
  t.equal(exportedHost(alice.stdout), aliceHost, 'alice\'s saved port again')
  t.ok(await works(aliceHost))
  t.equal((await registration(['users', 'rm', 'alice'])).code, 1, 'the last owner stays')
})

t.test('deregister asks without --yes, then leaves no swarmgate object', async (t) => {
  const unconfirmed = await registration(['deregister'])
  t.equal(unconfirmed.code, 2)
  t.match(unconfirmed.stderr, /without a terminal: pass --yes/)
  const r = await registration(['deregister', '--yes'])
  t.equal(r.code, 0, r.stderr)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
  t.same(await swarmgateObjects(), [])
  const status = await registration(['status'])
  t.equal(status.code, 1)
  t.match(status.stderr, /not registered with swarmgate: run swarmgate\/registration first/)
})
