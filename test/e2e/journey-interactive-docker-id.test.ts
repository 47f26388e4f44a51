// The client's prompts in a real terminal (tmux) for a swarm that accepts Docker IDs: a Docker ID
// owner logs in with a personal access token, a Docker ID with two-factor authentication typing
// its password gets told to use a token, and once the swarm has a local account too the prompt
// says both work and how to mean the Docker ID. Docker Hub is the stand-in of test/fixtures (a
// TEST DOUBLE: the real one cannot be reached from here), on an address the containers reach.
// Deploys swarmgate's service: run it in an isolated engine (scripts/isolated-engine.sh).
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bridgeHost, docker, dockerJson, programImage, TEST_LABEL_PAIR, useEngine } from '../testbed/index.js'
import { openTerminal, type Terminal } from '../harness/tmux.js'
import { startDockerHub, type DockerHub } from '../fixtures/docker-hub/index.js'
import { filesHolding, folderFiles, volumeFiles } from './client-state.js'
import { clearRegistrations, exportedHost, parseClientCommand, QUICK_UPDATES, registration } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const alice = { name: 'alice', password: `alice hub password ${suffix}`, pat: `dckr_pat_alice${suffix}` }
const bobby = { name: 'bobby', password: `bobby hub password ${suffix}`, pat: `dckr_pat_bobby${suffix}` }
const carol = { name: 'carol', password: `carol local password ${suffix}` }
const volume = (who: string): string => `swarmgate-client-test-tty-id-${who}-${suffix}`
const work = await mkdtemp(join(tmpdir(), 'swarmgate-tty-docker-id-'))
const dockerConfig = join(work, 'docker-config')
const hubCa = join(work, 'hub-ca.pem')
t.teardown(async () => { await rm(work, { recursive: true, force: true }) })

let hub: DockerHub
let swarm: string
let fingerprint: string
let endpoint: string

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
  // The registration and server-proxy containers reach this machine at the bridge host's address.
  hub = await startDockerHub({
    host: (await bridgeHost()).address,
    users: [
      { name: alice.name, password: alice.password, pats: [alice.pat] },
      { name: bobby.name, password: bobby.password, pats: [bobby.pat], twoFactor: true }
    ]
  })
  t.teardown(async () => { await hub.close() })
  await writeFile(hubCa, hub.caPem)
  const r = await registration(['--identity', 'docker-id', '--username', alice.name, '--password-stdin', '--docker-hub-url', hub.url, '--docker-hub-ca', '/hub-ca.pem', ...QUICK_UPDATES],
    { input: `${alice.pat}\n`, runArgs: ['-v', `${hubCa}:/hub-ca.pem:ro`] })
  if (r.code !== 0) throw new Error(`registration with a Docker ID owner failed:\n${r.stderr}`)
  const command = parseClientCommand(r.stdout)
  swarm = command.swarm
  fingerprint = command.fingerprint
  // The client runs on the host network, where server-proxy's published port is on 127.0.0.1.
  endpoint = `127.0.0.1:${(command.endpoints[0] as string).split(':').at(-1) as string}`
  const added = await registration(['users', 'add', bobby.name, '--docker-id', '--role', 'viewer'])
  if (added.code !== 0) throw new Error(`users add ${bobby.name} --docker-id failed:\n${added.stderr}`)
})

/** The client in a terminal for `who`, with `extra` docker run options (a mounted docker configuration). */
async function clientTerminal (who: string, extra: readonly string[] = []): Promise<Terminal> {
  const term = await openTerminal(['docker', 'run', '--rm', '-ti', '--label', TEST_LABEL_PAIR, '--network', 'host', '-v', '/var/run/docker.sock:/var/run/docker.sock', ...extra,
    programImage('client'), swarm, '--endpoint', endpoint, '--fingerprint', fingerprint, '--network', 'host', '--label', TEST_LABEL_PAIR,
    '--volume', volume(who), '--image', programImage('client-proxy')], { DOCKER_HOST: 'unix:///var/run/docker.sock' })
  t.teardown(async () => { await term.close() })
  return term
}

const PROMPT_WAIT_MS = 180_000

t.test('a Docker ID swarm asks for Docker ID credentials and takes a personal access token; nothing of it is kept', async (t) => {
  await mkdir(dockerConfig)
  const term = await clientTerminal('alice', ['-v', `${dockerConfig}:/root/.docker`])
  const asked = await term.waitFor(/^Use your Docker ID credentials to authenticate:\nUsername:$/m, PROMPT_WAIT_MS)
  t.notMatch(asked, /works too/, 'no word of local accounts on a swarm of Docker IDs')
  await term.type(`${alice.name}\r`)
  await term.waitFor(/^Password or personal access token:$/m)
  await term.type(`${alice.pat}\r`)
  t.equal(await term.exitStatus(PROMPT_WAIT_MS), 0, 'the client ends well', { screen: await term.screen() })
  const s = await term.screen()
  t.notMatch(s, alice.pat, 'the token never shows')
  const host = exportedHost(s)
  t.match(await docker(['node', 'ls', '--format', '{{.Status}}'], { host }), 'Ready')

  const context = `swarmgate-${swarm.replace('/', '-')}`
  t.match(s, new RegExp(`export DOCKER_HOST=.*\\n[\\s\\S]*docker context use ${context}$`, 'm'), 'the context after the export line')
  const [inspected] = await dockerJson<Array<{ Endpoints: { docker: { Host: string } } }>>(['context', 'inspect', context], { env: { DOCKER_CONFIG: dockerConfig } })
  t.equal(inspected?.Endpoints.docker.Host, host)
  t.match(await docker(['--context', context, 'node', 'ls', '--format', '{{.Status}}'], { env: { DOCKER_CONFIG: dockerConfig } }), 'Ready', 'the docker CLI goes through the chain with the context')

  const stored = await volumeFiles(volume('alice'))
  t.same([...stored.keys()].sort(), [`swarms/${swarm}/refresh-token`, `swarms/${swarm}/swarm.json`])
  t.match(JSON.parse(stored.get(`swarms/${swarm}/swarm.json`) ?? '{}'), { account: `docker:${alice.name}` }, 'the account as the swarm names a Docker ID')
  const config = await folderFiles(dockerConfig)
  for (const secret of [alice.pat, alice.password]) {
    t.same(filesHolding(stored, secret), [], 'no file of the volume holds the token or the password')
    t.same(filesHolding(config, secret), [], 'nor the docker configuration')
  }
})

t.test('a Docker ID with two-factor authentication typing its password is told to use a personal access token', async (t) => {
  const term = await clientTerminal('bobby-2fa')
  await term.waitFor(/^Use your Docker ID credentials to authenticate:\nUsername:$/m, PROMPT_WAIT_MS)
  await term.type(`${bobby.name}\r`)
  await term.waitFor(/^Password or personal access token:$/m)
  await term.type(`${bobby.password}\r`)
  t.equal(await term.exitStatus(PROMPT_WAIT_MS), 1)
  const s = await term.screen()
  t.match(s, /two-factor authentication: log in with a personal access token/)
  t.notMatch(s, /wrong username or password/)
  t.notMatch(s, bobby.password)
})

t.test('a swarm of both kinds says an account works too, and docker:NAME means the Docker ID', async (t) => {
  const added = await registration(['users', 'add', carol.name, '--role', 'viewer', '--password-stdin'], { input: `${carol.password}\n` })
  t.equal(added.code, 0, 'users add carol', { stderr: added.stderr })
  const header = new RegExp(`^Use your Docker ID credentials to authenticate:\\n\\(an account of the swarm ${swarm} works too; docker:NAME always means the Docker ID NAME[^\\n]*\\)\\nUsername:$`, 'm')

  const local = await clientTerminal('carol')
  await local.waitFor(header, PROMPT_WAIT_MS)
  await local.type(`${carol.name}\r`)
  await local.waitFor(/^Password \(or a Docker ID's personal access token\):$/m)
  await local.type(`${carol.password}\r`)
  t.equal(await local.exitStatus(PROMPT_WAIT_MS), 0, 'the client ends well', { screen: await local.screen() })

  const docked = await clientTerminal('bobby')
  await docked.waitFor(header, PROMPT_WAIT_MS)
  await docked.type(`docker:${bobby.name}\r`)
  await docked.waitFor(/^Password or personal access token:$/m)
  await docked.type(`${bobby.pat}\r`)
  t.equal(await docked.exitStatus(PROMPT_WAIT_MS), 0, 'the client ends well', { screen: await docked.screen() })
  t.match(await docker(['node', 'ls', '--format', '{{.Status}}'], { host: exportedHost(await docked.screen()) }), 'Ready', 'the viewer reads the nodes')
})
