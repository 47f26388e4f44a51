// Registration on a swarm of three managers and a worker (the multi-node lab, scripts/lab.sh):
// server-proxy runs on each manager, the certificate is valid for each manager's address and the
// client command lists every endpoint; on the worker it says to run it on a manager; a client
// logged in through one endpoint sees the four nodes; deregister leaves nothing on any node.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import tls from 'node:tls'
import { fingerprintOf } from '../../packages/core/src/tls-pin.js'
import { docker, dockerLines, LABEL_ARGS, programImage, run, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { exportedHost, parseClientCommand, registration, servedCertificates, swarmgateObjects, type ClientCommand } from '../e2e/journey-steps.js'
import { logInFromThisMachine, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/lab-${suffix}`
const password = `correct horse ${suffix}`
const SERVER_PROXY = 'swarmgate-server-proxy'

/** The name of the engine a container on `node` reaches through /var/run/docker.sock (node in the server-proxy image). */
async function engineNameSeenByContainer (node: LabNode): Promise<string> {
  const program = 'require("http").get({ socketPath: "/var/run/docker.sock", path: "/info" }, (r) => { let b = ""; r.on("data", (c) => { b += c }); r.on("end", () => console.log(JSON.parse(b).Name)) })'
  return await docker(['run', '--rm', ...LABEL_ARGS, '-v', '/var/run/docker.sock:/var/run/docker.sock', '--entrypoint', 'node', programImage('server-proxy'), '-e', program], { host: nodeHost(node) })
}

t.test('the lab: three managers and a worker, each an engine of its own with no way out', async (t) => {
  t.comment(`lab ${lab.lab.name} started in ${lab.lab.startSeconds} s (${lab.lab.subnet} on ${lab.lab.bridge})`)
  const nodes = await dockerLines(['node', 'ls', '--format', '{{.Hostname}} {{.Status}} {{if .ManagerStatus}}manager{{else}}worker{{end}}'], { host: nodeHost(lab.node('m1')) })
  t.same(nodes.sort(), ['m1 Ready manager', 'm2 Ready manager', 'm3 Ready manager', 'w1 Ready worker'])
  for (const node of lab.lab.nodes) {
    t.equal(await docker(['info', '--format', '{{.Name}} {{.Swarm.NodeAddr}}'], { host: nodeHost(node) }), `${node.name} ${node.address}`, `${node.name} has its own hostname and address`)
    const routes = await run('nsenter', [`--net=/proc/${node.pid}/ns/net`, 'ip', '-4', 'route'])
    t.notMatch(routes.stdout, /^default/m, `${node.name} has no default route`)
  }
  // server-proxy's tasks mount /var/run/docker.sock: on each node it must be that node's engine.
  const seen = await Promise.all(lab.lab.nodes.map(engineNameSeenByContainer))
  t.same(seen, lab.lab.nodes.map((n) => n.name), 'a container mounting /var/run/docker.sock reaches its own node\'s engine')
})

t.test('registration on the worker says to run it on a manager, and creates nothing', async (t) => {
  const [worker] = lab.workers
  const r = await registerOn(worker as LabNode, swarm, password)
  t.equal(r.code, 1)
  t.equal(r.stderr.trim(), 'swarmgate-registration: this node is not a swarm manager: this node is a worker; run registration on a manager (docker node ls there lists the managers under MANAGER STATUS)')
  t.equal(r.stdout, '')
  t.same(await swarmgateObjects(nodeHost(lab.node('m1'))), [])
})

let registered: ClientCommand

t.test('registration on a manager runs server-proxy on each manager and prints every endpoint', async (t) => {
  const r = await registerOn(lab.node('m1'), swarm, password)
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /3\/3 managers running server-proxy/)
  registered = parseClientCommand(r.stdout)
  t.same([...registered.endpoints].sort(), lab.managers.map((m) => `${m.address}:2376`).sort(), 'one endpoint per manager, at its advertise address')
  const tasks = await dockerLines(['service', 'ps', SERVER_PROXY, '--filter', 'desired-state=running', '--format', '{{.Node}} {{.CurrentState}}'], { host: nodeHost(lab.node('m1')) })
  t.same(tasks.map((l) => l.split(' ')[0]).sort(), ['m1', 'm2', 'm3'], 'a task on each manager, none on the worker')
  t.ok(tasks.every((l) => / Running /.test(l)), tasks.join('\n'))
  for (const node of lab.lab.nodes) {
    const containers = await dockerLines(['ps', '--filter', `label=com.docker.swarm.service.name=${SERVER_PROXY}`, '--format', '{{.State}}'], { host: nodeHost(node) })
    t.same(containers, node.role === 'manager' ? ['running'] : [], `${node.name}'s own engine runs ${node.role === 'manager' ? 'one' : 'no'} server-proxy container`)
  }
})

/** True when a TLS handshake with `host`:`port` succeeds trusting only `ca`, with the default identity check for `host`. */
async function verifiedHandshake (host: string, port: number, ca: string): Promise<boolean> {
  return await new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, ca }, () => {
      socket.destroy()
      resolve(socket.authorized)
    })
    socket.on('error', reject)
  })
}

t.test('each manager serves a certificate valid for every manager\'s address, under the printed CA', async (t) => {
  const addresses = lab.managers.map((m) => m.address)
  for (const manager of lab.managers) {
    const { server, ca } = await servedCertificates(manager.address, 2376)
    t.equal(fingerprintOf(ca.raw), registered.fingerprint, `${manager.name} sends the CA the client command pins`)
    t.ok(server.verify(ca.publicKey), `${manager.name}'s certificate is signed by that CA`)
    for (const address of addresses) t.equal(server.checkIP(address), address, `${manager.name}'s certificate names ${address}`)
    t.ok(await verifiedHandshake(manager.address, 2376, ca.toString()), `TLS to ${manager.address} verifies against the CA alone`)
  }
})

t.test('a client logged in through one endpoint lists the four nodes through the chain', async (t) => {
  const endpoint = registered.endpoints[registered.endpoints.length - 1] as string
  const r = await logInFromThisMachine({ swarm, password, endpoints: [endpoint], fingerprint: registered.fingerprint, volume: `swarmgate-client-test-${suffix}` })
  t.equal(r.code, 0, r.stderr)
  const nodes = await dockerLines(['node', 'ls', '--format', '{{.Hostname}} {{.Status}}'], { host: exportedHost(r.stdout) })
  t.same(nodes.sort(), ['m1 Ready', 'm2 Ready', 'm3 Ready', 'w1 Ready'])
})

t.test('deregister leaves nothing of swarmgate on any node', async (t) => {
  const r = await registration(['deregister', '--yes'], { host: nodeHost(lab.node('m1')) })
  t.equal(r.code, 0, r.stderr)
  for (const node of lab.lab.nodes) {
    await waitFor(`${node.name} to have no swarmgate container or network left`, async () => {
      const left = [
        ...await dockerLines(['ps', '-a', '--filter', 'name=swarmgate', '--format', 'container {{.Names}}'], { host: nodeHost(node) }),
        ...await dockerLines(['network', 'ls', '--filter', 'name=swarmgate', '--format', 'network {{.Name}}'], { host: nodeHost(node) })
      ]
      return left.length === 0 ? true : undefined
    }, { timeoutMs: 60_000 })
  }
  t.same(await swarmgateObjects(nodeHost(lab.node('m2'))), [], 'no service, secret, config or network in the swarm')
})
