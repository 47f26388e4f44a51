// Managers change (issue 13): the worker is promoted and a manager demoted after registration.
// Without anyone editing the client command, server-proxy tells client-proxy the swarm's current
// endpoints, client-proxy adopts them (its health answer lists them), the new manager serves
// calls, and the client, run again with the command registration printed, saves the new list
// (`client ls`). Registration run again then issues what the new manager needs: a server
// certificate that names its address, served by every manager. How long client-proxy took to
// learn the change is printed (it asks every minute), not asserted.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import https from 'node:https'
import { PATHS } from '@swarmgate/core'
import { docker, dockerLines, waitFor } from '../testbed/index.js'
import { nodeHost, useLab, type LabNode } from '../testbed/lab/index.js'
import { client, exportedHost, parseClientCommand, QUICK_UPDATES, registration, servedCertificates, type ClientCommand } from '../e2e/journey-steps.js'
import { logInFromThisMachine, proxyHealth, registerOn } from './steps.js'

const lab = useLab(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/managers-${suffix}`
const password = `correct horse ${suffix}`
const volume = `swarmgate-client-test-${suffix}`
const PORT = 2376
const SERVER_PROXY_FILTER = 'label=com.docker.swarm.service.name=swarmgate-server-proxy'

const endpointOf = (node: LabNode): string => `${node.address}:${PORT}`

let registered: ClientCommand
let host = ''

/** POSTs or GETs `path` on `node`'s server-proxy; the answer's JSON. */
async function askServerProxy (node: LabNode, method: string, path: string, headers: Record<string, string>, body?: string): Promise<unknown> {
  return await new Promise((resolve, reject) => {
    // The certificate is not checked here: whether it names the new manager is the next test's question.
    const req = https.request({ host: node.address, port: PORT, method, path, headers, rejectUnauthorized: false, agent: false, timeout: 15_000 }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (c: string) => { text += c })
      res.on('end', () => { try { resolve(JSON.parse(text)) } catch (err) { reject(new Error(`${method} ${path} answered ${String(res.statusCode)}: ${text}`, { cause: err })) } })
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on ${node.name}: no answer within 15 s`)))
    req.on('error', reject)
    req.end(body)
  })
}

/** The name of the engine behind `node`'s server-proxy, asked with a token alice gets from that server-proxy. */
async function engineNameThrough (node: LabNode): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'password', username: 'alice', password }).toString()
  const grant = await askServerProxy(node, 'POST', PATHS.token, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(form)) }, form) as { access_token?: string }
  const info = await askServerProxy(node, 'GET', '/v1.41/info', { authorization: `Bearer ${grant.access_token ?? ''}` }) as { Name?: string }
  return info.Name ?? ''
}

/** The endpoints the client saved for the swarm, from `client ls`. */
async function savedEndpoints (): Promise<string[]> {
  const ls = await client(volume, ['ls'])
  const row = ls.stdout.split('\n').find((l) => l.startsWith(`${swarm} `))
  return (row?.trim().split(/\s+/).pop() ?? '').split(',').sort()
}

t.test('registration on three managers, a client logged in with the command it printed', async (t) => {
  const r = await registerOn(lab.node('m1'), swarm, password, QUICK_UPDATES)
  t.equal(r.code, 0, r.stderr)
  registered = parseClientCommand(r.stdout)
  const login = await logInFromThisMachine({ swarm, password, endpoints: registered.endpoints, fingerprint: registered.fingerprint, volume })
  t.equal(login.code, 0, login.stderr)
  host = exportedHost(login.stdout)
  t.same(await savedEndpoints(), ['m1', 'm2', 'm3'].map((n) => endpointOf(lab.node(n))).sort(), 'the client saved the three managers')
})

t.test('w1 promoted and m3 demoted: server-proxy follows, client-proxy adopts the new list, the client saves it', async (t) => {
  const [m1, m3, w1] = [lab.node('m1'), lab.node('m3'), lab.node('w1')]
  const changedAt = Date.now()
  await docker(['node', 'promote', 'w1'], { host: nodeHost(m1) })
  await docker(['node', 'demote', 'm3'], { host: nodeHost(m1) })
  const expected = [m1, lab.node('m2'), w1].map(endpointOf).sort()

  await waitFor('server-proxy to run on w1 and no longer on m3', async () => {
    const [onW1, onM3] = await Promise.all([w1, m3].map(async (n) => await dockerLines(['ps', '--filter', SERVER_PROXY_FILTER, '--filter', 'status=running', '-q'], { host: nodeHost(n) })))
    return onW1?.length === 1 && onM3?.length === 0 ? true : undefined
  }, { timeoutMs: 90_000 })
  const health = await waitFor('client-proxy to adopt the swarm\'s new list', async () => {
    const h = await proxyHealth(host)
    return JSON.stringify(h.endpoints.map((e) => e.endpoint).sort()) === JSON.stringify(expected) ? h : undefined
  }, { timeoutMs: 120_000, intervalMs: 1_000 })
  t.comment(`client-proxy knew the new managers ${Date.now() - changedAt} ms after the promotion`)
  t.same(health.endpoints.map((e) => e.endpoint).sort(), expected, 'client-proxy lists m1, m2 and w1')

  const nodes = await dockerLines(['node', 'ls', '--format', '{{.Hostname}} {{if .ManagerStatus}}manager{{else}}worker{{end}}'], { host })
  t.same(nodes.sort(), ['m1 manager', 'm2 manager', 'm3 worker', 'w1 manager'], 'calls through the client work')

  // The new manager serves: its server-proxy grants alice a token and answers with w1's engine.
  t.equal(await engineNameThrough(w1), 'w1', 'w1\'s server-proxy serves calls, from w1\'s engine')

  // The same client command again: the client saves what its proxy learned.
  const again = await logInFromThisMachine({ swarm, password, endpoints: registered.endpoints, fingerprint: registered.fingerprint, volume })
  t.equal(again.code, 0, `the client command registration printed works again ${again.stderr}`)
  t.same(await savedEndpoints(), expected, 'client ls shows the new managers, saved for the next run')
})

t.test('registration run again issues a certificate that names the new manager, served by every manager', async (t) => {
  const w1 = lab.node('w1')
  const before = await servedCertificates(w1.address, PORT)
  t.comment(`before registration ran again, w1's certificate ${before.server.checkIP(w1.address) === undefined ? 'does not name' : 'names'} ${w1.address}`)
  const r = await registration([], { host: nodeHost(w1) })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, `Issuing a new server certificate from the same CA for ${w1.address}`, 'registration says it issues a certificate for w1\'s address')
  const command = parseClientCommand(r.stdout)
  t.same([...command.endpoints].sort(), ['m1', 'm2', 'w1'].map((n) => endpointOf(lab.node(n))).sort(), 'the client command lists the managers now')
  t.equal(command.fingerprint, registered.fingerprint, 'with the same fingerprint: clients keep theirs')
  for (const manager of ['m1', 'm2', 'w1'].map((n) => lab.node(n))) {
    const { server } = await servedCertificates(manager.address, PORT)
    t.equal(server.checkIP(w1.address), w1.address, `${manager.name}'s certificate names w1's address`)
  }
  t.equal((await dockerLines(['node', 'ls', '-q'], { host })).length, 4, 'the client keeps working through the update')
})
