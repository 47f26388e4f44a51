// Every node through one client-proxy (issue 13, docs/protocol.md "Every node"): registration runs
// a node agent on every node by default, the worker included; with DOCKER_HOST=<the exported host>/_swarmgate/
// v1/nodes/w1, logs, exec, exec -it (a real terminal), cp in and out work on a container running
// on the worker; the decisions that read engine facts read the worker's engine (an operator may
// enter a plain container there and not one that mounts the engine socket); nothing reaches an agent
// without a manager's assertion of that call, even from the overlay with a user's real token; the
// agent speaks only TLS under its own CA, holds no account store and publishes no port; deregister
// removes it.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUSYBOX_IMAGE, docker, dockerLines, LABEL_ARGS, runDocker, waitFor } from '../testbed/index.js'
import { nodeHost, useLab } from '../testbed/lab/index.js'
import { client, exportedHost, parseClientCommand, QUICK_UPDATES, registration, type ClientCommand } from '../e2e/journey-steps.js'
import { openTerminal } from '../harness/tmux.js'
import { logInFromThisMachine, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/nodes-${suffix}`
const password = `correct horse ${suffix}`
const bobPassword = `battery staple ${suffix}`
const AGENT = 'swarmgate-node-agent'
const NODES = '/_swarmgate/v1/nodes/'
const plain = `sg-plain-${suffix}`
const socketBound = `sg-socket-${suffix}`

let registered: ClientCommand
/** alice's (the owner's) DOCKER_HOST, and bob's (an operator's). */
let alice = ''
let bob = ''

t.test('registration runs the node agent on every node by default, the worker included, with no published port and no account store', async (t) => {
  // A 1 s update watch instead of 15 s: the users change below restarts server-proxy
  // and the agents, which this test does not watch for a failed rollout.
  const r = await registerOn(lab.node('m1'), swarm, password, QUICK_UPDATES)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /4\/4 nodes running the node agent/)
  registered = parseClientCommand(r.stdout)
  const m1 = nodeHost(lab.node('m1'))
  const tasks = await dockerLines(['service', 'ps', AGENT, '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}'], { host: m1 })
  t.same(tasks.map((l) => l.split(' ')[0]).sort(), ['m1', 'm2', 'm3', 'w1'])
  t.equal(await docker(['service', 'inspect', AGENT, '--format', '{{len .Endpoint.Ports}}'], { host: m1 }), '0', 'the agent service publishes no port')
  const mounted = await dockerLines(['service', 'inspect', AGENT, '--format', '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.File.Name}}{{"\\n"}}{{end}}'], { host: m1 })
  t.same(mounted.sort(), ['swarmgate-agent-cert', 'swarmgate-agent-key', 'swarmgate-verify-keys'], 'the agent mounts no account store and no signing key')
  const onWorker = (await dockerLines(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${AGENT}`], { host: nodeHost(lab.node('w1')) }))[0] as string
  t.same((await dockerLines(['exec', onWorker, 'node', '-e', 'console.log(require("fs").readdirSync("/run/secrets").join("\\n"))'], { host: nodeHost(lab.node('w1')) })).sort(), ['swarmgate-agent-cert', 'swarmgate-agent-key', 'swarmgate-verify-keys'], 'and the worker\'s agent task has no password hash to read')
  // Nothing listens on the agent's port on a node's own address: it is reached on the overlay only.
  const w1 = lab.node('w1')
  const refused = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: w1.address, port: 2378 }, () => { socket.destroy(); resolve('connected') })
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
  t.equal(refused, 'ECONNREFUSED', 'the worker\'s address does not answer on the agent\'s port')

  const adding = await registration(['users', 'add', 'bob', '--role', 'operator', '--password-stdin'], { host: m1, input: `${bobPassword}\n` })
  t.equal(adding.code, 0, adding.stderr)
  if (adding.code !== 0) t.comment(await docker(['service', 'ps', '--no-trunc', AGENT, '--format', '{{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}'], { host: m1 }))
  // Every endpoint: one client-proxy, which may move between managers on a loaded machine.
  const a = await logInFromThisMachine({ swarm, password, endpoints: registered.endpoints, fingerprint: registered.fingerprint, volume: `swarmgate-client-nodes-a-${suffix}` })
  t.equal(a.code, 0, a.stderr)
  alice = exportedHost(a.stdout)
})

t.test('a container on the worker: ps, logs, exec, cp in and out through one client-proxy', async (t) => {
  const w1 = nodeHost(lab.node('w1'))
  await docker(['run', '-d', ...LABEL_ARGS, '--name', plain, BUSYBOX_IMAGE, 'sh', '-c', `echo started on the worker ${suffix}; exec sleep 600`], { host: w1 })
  const onW1 = `${alice}${NODES}w1`
  t.notOk((await dockerLines(['ps', '--format', '{{.Names}}'], { host: alice })).includes(plain), 'the manager\'s own ps does not list it')
  t.ok((await dockerLines(['ps', '--format', '{{.Names}}'], { host: onW1 })).includes(plain), 'ps addressed to w1 lists it')
  const nodeId = await docker(['info', '--format', '{{.Swarm.NodeID}}'], { host: w1 })
  t.ok((await dockerLines(['ps', '--format', '{{.Names}}'], { host: `${alice}${NODES}${nodeId}` })).includes(plain), 'so does ps addressed to w1\'s node ID')
  t.equal(await docker(['info', '--format', '{{.Name}}'], { host: onW1 }), 'w1', 'info addressed to w1 is w1\'s engine')

  const logs = await waitFor('the container\'s first line', async () => {
    const out = await docker(['logs', plain], { host: onW1 })
    return out.includes('started on the worker') ? out : undefined
  }, { timeoutMs: 30_000 })
  t.equal(logs, `started on the worker ${suffix}`)

  const exec = await runDocker(['exec', plain, 'echo', 'hi'], { host: onW1 })
  t.same([exec.code, exec.stdout], [0, 'hi\n'], exec.stderr)
  const status = await runDocker(['exec', plain, 'sh', '-c', 'exit 7'], { host: onW1 })
  t.equal(status.code, 7, 'the exit status comes back')
  const stdin = await runDocker(['exec', '-i', plain, 'sh', '-c', 'tr a-z A-Z'], { host: onW1, input: 'half-closed stdin\n' })
  t.same([stdin.code, stdin.stdout], [0, 'HALF-CLOSED STDIN\n'], 'stdin ends and the answer still arrives (half-close)')

  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-nodes-'))
  t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
  const content = `copied to the worker ${suffix}\n`
  await writeFile(join(dir, 'in.txt'), content)
  const cpIn = await runDocker(['cp', join(dir, 'in.txt'), `${plain}:/in.txt`], { host: onW1 })
  t.equal(cpIn.code, 0, cpIn.stderr)
  t.equal(await docker(['exec', plain, 'cat', '/in.txt'], { host: w1 }), content.trim(), 'the file is in the container on w1 (asked of w1\'s own engine)')
  const cpOut = await runDocker(['cp', `${plain}:/in.txt`, join(dir, 'out.txt')], { host: onW1 })
  t.equal(cpOut.code, 0, cpOut.stderr)
  t.equal(await readFile(join(dir, 'out.txt'), 'utf8'), content, 'and comes back out')
})

t.test('docker exec -it in a real terminal on the worker\'s container', async (t) => {
  const term = await openTerminal(['docker', 'exec', '-it', plain, 'sh'], { DOCKER_HOST: `${alice}${NODES}w1` })
  t.teardown(async () => { await term.close() })
  await term.waitFor(/^\/ #/m)
  await term.type('tty; echo answer-$((6*7))\r')
  const screen = await term.waitFor(/^answer-42$/m)
  t.match(screen, /^\/dev\/pts\/\d+$/m, 'the command has a terminal')
  await term.type('exit 3\r')
  t.equal(await term.exitStatus(), 3)
})

t.test('nothing reaches an agent without a manager\'s assertion, even from the overlay with a user\'s token; it speaks only TLS; unknown nodes are named', async (t) => {
  const m1 = nodeHost(lab.node('m1'))
  // The agent of w1 at its overlay address, as server-proxy finds it.
  const task = (await dockerLines(['service', 'ps', AGENT, '--filter', 'node=w1', '--filter', 'desired-state=running', '-q'], { host: m1 }))[0] as string
  const address = (await dockerLines(['inspect', task, '--format', '{{range .NetworksAttachments}}{{.Network.Spec.Name}} {{index .Addresses 0}}{{"\\n"}}{{end}}'], { host: m1 }))
    .find((l) => l.startsWith('swarmgate-server-proxy-network '))?.split(' ')[1]?.replace(/\/\d+$/, '')
  t.ok(address !== undefined, 'the agent has an overlay address')
  // From inside m1's server-proxy task: a container on the overlay, which holds the agents' CA.
  const proxy = (await dockerLines(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name=swarmgate-server-proxy'], { host: m1 }))[0] as string
  const run = async (program: string): Promise<string> => await docker(['exec', proxy, 'node', '-e', program], { host: m1 })
  const agentTls = `host: ${JSON.stringify(address)}, port: 2378, ca: require("fs").readFileSync("/run/secrets/swarmgate-agent-ca"), servername: "swarmgate-node-agent"`
  const ask = async (authorization: string | undefined): Promise<string> => {
    const headers = authorization === undefined ? '{}' : JSON.stringify({ authorization })
    return await run(`require("https").get({ ${agentTls}, path: "/containers/json", headers: ${headers} }, (r) => { let b = ""; r.on("data", (c) => { b += c }); r.on("end", () => console.log(r.statusCode, r.headers["x-swarmgate-error"], b.trim())) }).on("error", (e) => console.log("error", e.code))`)
  }
  t.match(await ask(undefined), /^401 SG_ERR_AUTH_NO_ASSERTION \{"message":"swarmgate: a node agent serves only calls a manager's server-proxy sends it/, 'no token: refused')
  t.match(await ask('Bearer not.a.token'), /^401 SG_ERR_AUTH_/, 'a bad token: refused')
  // alice's real access token, had from the token service of the same manager.
  const token = await run(`const q = require("https").request({ host: "127.0.0.1", port: 2376, path: "/_swarmgate/v1/token", method: "POST", rejectUnauthorized: false, headers: { "content-type": "application/x-www-form-urlencoded" } }, (r) => { let b = ""; r.on("data", (c) => { b += c }); r.on("end", () => console.log(JSON.parse(b).access_token)) }); q.end(new URLSearchParams({ grant_type: "password", username: "alice", password: ${JSON.stringify(password)} }).toString())`)
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a real access token')
  t.match(await ask(`Bearer ${token}`), /^401 SG_ERR_AUTH_NO_ASSERTION /, 'a user\'s valid token without a manager\'s assertion: refused')

  // The agent's port speaks TLS, under the agents' own CA for their name, and nothing else.
  const handshake = await run(`const s = require("tls").connect({ ${agentTls} }, () => { console.log("authorized", s.authorized, s.getProtocol()); s.end() }).on("error", (e) => console.log("error", e.code))`)
  t.match(handshake, /^authorized true TLSv1\.3$/, 'a TLS handshake verified against the agents\' CA')
  const plainHttp = await run(`require("http").get({ host: ${JSON.stringify(address)}, port: 2378, path: "/_swarmgate/v1/health" }, (r) => console.log("answered", r.statusCode)).on("error", (e) => console.log("error", e.code))`)
  t.match(plainHttp, /^error /, 'plain HTTP gets no answer')
  const clientsCa = await run(`const s = require("tls").connect({ host: ${JSON.stringify(address)}, port: 2378, ca: require("fs").readFileSync("/run/secrets/swarmgate-tls-cert"), servername: "swarmgate-node-agent" }, () => { console.log("authorized"); s.end() }).on("error", (e) => console.log("error", e.code))`)
  t.match(clientsCa, /^error /, 'the CA clients pin does not vouch for an agent')

  const unknown = await runDocker(['ps'], { host: `${alice}${NODES}nope` })
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /swarmgate: no such node: no node of the swarm has the ID or hostname "nope"/)
  // The manager checks the token before anything goes to an agent (client-proxy always adds one: asked here without it).
  const program = `require("https").get({ host: "127.0.0.1", port: 2376, path: "${NODES}w1/containers/json", rejectUnauthorized: false }, (r) => { r.resume(); console.log(r.statusCode, r.headers["x-swarmgate-error"]) }).on("error", (e) => console.log("error", e.code))`
  const direct = await docker(['exec', proxy, 'node', '-e', program], { host: m1 })
  t.equal(direct, '401 SG_ERR_AUTH_MISSING', 'a manager refuses a node call without a token')
})

t.test('the decision reads the worker\'s engine: an operator enters a plain container there, not one that mounts the engine socket', async (t) => {
  const w1 = nodeHost(lab.node('w1'))
  // bob's client-proxy takes the place of alice's (one per swarm on this machine): alice's tests are done.
  const b = await client(`swarmgate-client-nodes-b-${suffix}`, [swarm, ...registered.endpoints.flatMap((e) => ['--endpoint', e]), '--fingerprint', registered.fingerprint, '--username', 'bob', '--password-stdin', '--network', 'host', '--quiet'],
    { input: `${bobPassword}\n`, runArgs: ['--network', 'host'] })
  t.equal(b.code, 0, b.stderr)
  bob = exportedHost(b.stdout)
  await docker(['run', '-d', ...LABEL_ARGS, '-v', '/var/run/docker.sock:/var/run/docker.sock', '--name', socketBound, BUSYBOX_IMAGE, 'sleep', '600'], { host: w1 })
  const onW1 = `${bob}${NODES}w1`
  const ok = await runDocker(['exec', plain, 'echo', 'operator'], { host: onW1 })
  t.same([ok.code, ok.stdout], [0, 'operator\n'], ok.stderr)
  // Known only to w1's engine: a manager's engine has no such container to tell about.
  const refused = await runDocker(['exec', socketBound, 'echo', 'escape'], { host: onW1 })
  t.equal(refused.code, 1)
  t.match(refused.stderr, /swarmgate: denied: .*rule no-host-bind/)
  const cp = await runDocker(['cp', `${socketBound}:/etc/hostname`, '-'], { host: onW1 })
  t.not(cp.code, 0)
  t.match(cp.stderr, /swarmgate: denied:/)
  // The agent's own containers hold the engine socket: swarmgate's own, refused to an operator.
  const agents = await dockerLines(['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${AGENT}`], { host: w1 })
  t.equal(agents.length, 1)
  const own = await runDocker(['exec', agents[0] as string, 'true'], { host: onW1 })
  t.match(own.stderr, /swarmgate: denied:/)
})

t.test('deregister removes the agent from every node', async (t) => {
  const r = await registration(['deregister', '--yes'], { host: nodeHost(lab.node('m1')) })
  t.equal(r.code, 0, r.stderr)
  for (const node of lab.lab.nodes) {
    await waitFor(`${node.name} to have no agent container left`, async () => {
      const left = await dockerLines(['ps', '-a', '--filter', `label=com.docker.swarm.service.name=${AGENT}`, '-q'], { host: nodeHost(node) })
      return left.length === 0 ? true : undefined
    }, { timeoutMs: 60_000 })
  }
  t.pass('no agent container on any node')
})
