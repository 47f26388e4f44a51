// server-proxy as registration will run it: a global swarm service on the managers, with the
// engine socket mounted, its identity and accounts as swarm secrets, and its port published on
// the node. The image's health check must report healthy and the health endpoint must answer
// over TLS with the certificate the swarm's CA issued.
import t from 'tap'
import https from 'node:https'
import { randomBytes } from 'node:crypto'
import { createCa, createServerCert, createSigningKeySet } from '../../packages/registration/src/identity/index.js'
import { hashPassword, newStamp, serializeAccountStore } from '../../packages/core/src/accounts.js'
import { docker, dockerJson, ENGINE_SOCKET, LABEL_ARGS, programImage, runDocker, SERVICE_LABEL_ARGS, useEngine, waitFor } from '../testbed/index.js'

useEngine(t, { images: ['server-proxy'] })

const suffix = randomBytes(4).toString('hex')
const service = `swarmgate-test-server-proxy-${suffix}`

interface Task {
  Status: {
    State: string
    Err?: string
    ContainerStatus?: { ContainerID?: string }
    PortStatus?: { Ports?: Array<{ TargetPort: number, PublishedPort: number }> }
  }
}

/** What the service's tasks and logs say, for a failure message. */
async function describeService (): Promise<string> {
  const tasks = await runDocker(['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}} {{.Error}}', service])
  const logs = await runDocker(['service', 'logs', '--raw', '--tail', '20', service], { timeoutMs: 10_000 })
  return `tasks:\n${tasks.stdout}${tasks.stderr}\nlogs:\n${logs.stdout}${logs.stderr}`
}

async function getHealth (port: number, ca: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/_swarmgate/v1/health', ca, timeout: 5_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
  })
}

t.test('runs as a global service on the manager and reports healthy', async (t) => {
  const ca = await createCa({ commonName: 'swarmgate test CA' })
  const server = await createServerCert(ca, { sans: [] })
  const accounts = serializeAccountStore({
    version: 1,
    accounts: [{ name: 'alice', kind: 'local', hash: await hashPassword(randomBytes(12).toString('base64url')), role: 'owner', state: 'active', stamp: newStamp() }],
    teams: [],
    hubTokens: {}
  })
  const secrets: Record<string, string> = {
    'swarmgate-tls-cert': server.certPem,
    'swarmgate-tls-key': server.keyPem,
    'swarmgate-signing-keys': await createSigningKeySet(),
    'swarmgate-accounts': accounts
  }
  const secretArgs: string[] = []
  for (const [target, content] of Object.entries(secrets)) {
    const name = `${target}-${suffix}`
    await docker(['secret', 'create', ...LABEL_ARGS, name, '-'], { input: content })
    secretArgs.push('--secret', `source=${name},target=${target}`)
  }

  await docker(['service', 'create', '-d', '--no-resolve-image', '--name', service, ...SERVICE_LABEL_ARGS,
    '--mode', 'global', '--constraint', 'node.role==manager',
    '--mount', `type=bind,source=${ENGINE_SOCKET},target=/var/run/docker.sock`,
    ...secretArgs,
    '--env', 'SWARMGATE_SWARM_NAME=test/e2e',
    // Host mode: a global service has one task per manager, each answering on its own node. The
    // published port is left to the engine and read back below.
    '--publish', 'mode=host,target=2376',
    '--health-interval', '2s', '--health-start-period', '2s',
    programImage('server-proxy')])

  const started = await waitFor('a running task with a published port', async () => {
    const ids = await docker(['service', 'ps', '-q', '--no-trunc', '--filter', 'desired-state=running', service])
    const id = ids.split('\n')[0]
    if (id === undefined || id === '') return undefined
    const [task] = await dockerJson<Task[]>(['inspect', id])
    const port = task?.Status.PortStatus?.Ports?.find((p) => p.TargetPort === 2376)?.PublishedPort
    const container = task?.Status.ContainerStatus?.ContainerID
    return task?.Status.State === 'running' && port !== undefined && container !== undefined ? { port, container } : undefined
  }, { timeoutMs: 90_000 }).catch(async (err: Error) => { throw new Error(`${err.message}\n${await describeService()}`) })

  const health = await waitFor('the container\'s health check to report healthy', async () => {
    const status = await docker(['inspect', '--format', '{{.State.Health.Status}}', started.container])
    if (status === 'unhealthy') throw new Error(`unhealthy: ${await docker(['inspect', '--format', '{{json .State.Health.Log}}', started.container])}`)
    return status === 'healthy' ? status : undefined
  }, { timeoutMs: 90_000, intervalMs: 1_000 }).catch(async (err: Error) => { throw new Error(`${err.message}\n${await describeService()}`) })
  t.equal(health, 'healthy')

  // Verified against the swarm's CA only: the certificate must name 127.0.0.1.
  const answer = await getHealth(started.port, ca.certPem)
  t.equal(answer.status, 200)
  t.same(JSON.parse(answer.body), { status: 'ok' })
})
