// The prompts of registration and client, typed at a real terminal: both run with `docker run -ti`
// inside tmux, and the test types the username and password with send-keys and reads the screen.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { docker, dockerJson, programImage, TEST_LABEL_PAIR, useEngine, waitFor } from '../testbed/index.js'
import { tmux } from '../harness/tmux.js'
import { filesHolding, folderFiles, volumeFiles } from './client-state.js'
import { clearRegistrations, exportedHost, parseClientCommand, registration, swarmgateObjects } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const password = `typed password ${suffix}`
const session = `swarmgate-test-${suffix}`
const volume = `swarmgate-client-test-tty-${suffix}`
// The user's docker configuration, mounted into the client as ~/.docker: it gets the swarm's context.
const dockerConfig = await mkdtemp(join(tmpdir(), 'swarmgate-tty-docker-config-'))
t.teardown(async () => { await rm(dockerConfig, { recursive: true, force: true }) })

t.before(async () => {
  await clearRegistrations((line) => t.comment(line))
})

/** Runs `command` in a new tmux window of the test's session; the shell stays to show the exit status. */
async function terminal (command: string): Promise<void> {
  await tmux(['new-session', '-d', '-s', session, '-x', '250', '-y', '50', `${command}; echo "EXIT=$?"; sleep 600`])
}

async function screen (): Promise<string> {
  return (await tmux(['capture-pane', '-p', '-J', '-S', '-200', '-t', session])).replace(/\s+$/gm, '')
}

/** Waits until the screen shows `what` (trailing blanks are trimmed); fails at once if the program ended without. */
async function waitForScreen (what: RegExp): Promise<string> {
  let ended = false
  const s = await waitFor(`the screen to show ${String(what)}`, async () => {
    const s = await screen()
    ended = /EXIT=\d+/.test(s)
    return what.test(s) || ended ? s : undefined
  }, { timeoutMs: 180_000 })
  if (ended && !what.test(s)) throw new Error(`the program ended without showing ${String(what)}; screen:\n${s}`)
  return s
}

async function type (text: string): Promise<void> {
  await tmux(['send-keys', '-t', session, '-l', text])
  await tmux(['send-keys', '-t', session, 'Enter'])
}

t.afterEach(async () => { await tmux(['kill-session', '-t', session]).catch(() => {}) })

const DOCKER = `env DOCKER_HOST=unix:///var/run/docker.sock docker`
const labelled = `--label ${TEST_LABEL_PAIR}`
let swarmId: string
let fingerprint: string

t.test('registration asks for username, password twice (not echoed) and the cluster name', async (t) => {
  swarmId = (await docker(['info', '--format', '{{.Swarm.Cluster.ID}}'])).toLowerCase()
  await terminal(`${DOCKER} run -ti --rm ${labelled} -v /var/run/docker.sock:/var/run/docker.sock ${programImage('registration')} ${labelled} --image ${programImage('server-proxy')}`)
  await waitForScreen(/^Accounts of this swarm: local .* or docker-id .* \[local\]:$/m)
  await type('')
  await waitForScreen(/Create the owner's account \(a local account of this swarm\):\nUsername:$/m)
  await type('alice')
  await waitForScreen(/^Password:$/m)
  await type(password)
  await waitForScreen(/^Repeat password:$/m)
  await type(password)
  await waitForScreen(new RegExp(`^Enter name for the new cluster \\[alice/${swarmId}\\]:$`, 'm'))
  await type('')
  const s = await waitForScreen(/EXIT=\d+/)
  t.match(s, 'EXIT=0')
  t.match(s, /Registering this Docker cluster\.\.\./)
  t.match(s, `Successfully registered the swarm as alice/${swarmId}`)
  t.notMatch(s, password, 'the password never shows')
  fingerprint = parseClientCommand(s).fingerprint
})

t.test('the client names the swarm\'s own accounts, asks for the password (not echoed), keeps nothing of it, and makes the docker context', async (t) => {
  const swarm = `alice/${swarmId}`
  await terminal(`${DOCKER} run --rm -ti ${labelled} --network host -v /var/run/docker.sock:/var/run/docker.sock -v ${dockerConfig}:/root/.docker -e DOCKER_HOST ${programImage('client')} ${swarm} --endpoint 127.0.0.1:2376 --fingerprint ${fingerprint} --network host ${labelled} --volume ${volume} --image ${programImage('client-proxy')}`)
  // A swarm of local accounts: its own accounts are named, not Docker IDs.
  const asked = await waitForScreen(new RegExp(`^Log in with your account on the swarm ${swarm}:\nUsername:$`, 'm'))
  t.notMatch(asked, /Docker ID/)
  await type('alice')
  await waitForScreen(/^Password:$/m)
  await type(password)
  const s = await waitForScreen(/EXIT=\d+/)
  t.match(s, 'EXIT=0')
  t.match(s, `=> You can now start using the swarm ${swarm} by executing:`)
  t.notMatch(s, password, 'the password never shows')
  const host = exportedHost(s)
  t.match(await docker(['node', 'ls', '--format', '{{.Status}}'], { host }), 'Ready')

  const context = `swarmgate-alice-${swarmId}`
  t.match(s, `docker context use ${context}`, 'the context is named after the export line')
  const [inspected] = await dockerJson<Array<{ Endpoints: { docker: { Host: string } } }>>(['context', 'inspect', context], { env: { DOCKER_CONFIG: dockerConfig } })
  t.equal(inspected?.Endpoints.docker.Host, host, 'the context points where the export line does')
  // --context wins over the DOCKER_HOST the test bed sets, so this call goes through the chain.
  t.match(await docker(['--context', context, 'node', 'ls', '--format', '{{.Status}}'], { env: { DOCKER_CONFIG: dockerConfig } }), 'Ready')

  const stored = await volumeFiles(volume)
  t.same([...stored.keys()].sort(), [`swarms/${swarm}/refresh-token`, `swarms/${swarm}/swarm.json`], 'the volume holds the swarm and its refresh token')
  t.same(filesHolding(stored, password), [], 'no file of the volume holds the password')
  t.same(filesHolding(await folderFiles(dockerConfig), password), [], 'nor the docker configuration')
  t.notMatch(await docker(['inspect', `swarmgate_client_proxy_alice_${swarmId}`]), password, 'nor the proxy container')
})

t.test('a wrong password typed at the terminal is refused', async (t) => {
  await terminal(`${DOCKER} run --rm -ti ${labelled} --network host -v /var/run/docker.sock:/var/run/docker.sock ${programImage('client')} alice/${swarmId} --username alice --network host ${labelled} --volume ${volume}-wrong --endpoint 127.0.0.1:2376 --fingerprint ${fingerprint} --image ${programImage('client-proxy')}`)
  await waitForScreen(/^Password:$/m)
  await type('not the password')
  const s = await waitForScreen(/EXIT=\d+/)
  t.match(s, 'EXIT=1')
  t.match(s, /login refused: wrong username or password/)
})

t.test('deregister asks for confirmation at the terminal', async (t) => {
  await terminal(`${DOCKER} run -ti --rm ${labelled} -v /var/run/docker.sock:/var/run/docker.sock ${programImage('registration')} deregister`)
  await waitForScreen(/Every client loses access \[y\/N\]:$/m)
  await type('y')
  const s = await waitForScreen(/EXIT=\d+/)
  t.match(s, 'EXIT=0')
  t.match(s, `Deregistered alice/${swarmId}`)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
  t.equal((await registration(['status'])).code, 1)
})
