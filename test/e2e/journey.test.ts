// The journey of shared/docs/journey.md without a terminal: registration on the manager, the
// client on the same machine, then the plain docker CLI through DOCKER_HOST; the second client
// run without credentials; a wrong password and a wrong fingerprint refused; ls and rm.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import net from 'node:net'
import { BUSYBOX_IMAGE, docker, dockerJson, LABEL_ARGS, runDocker, SERVICE_LABEL_ARGS, useEngine, waitFor } from '../testbed/index.js'
import { bridgeGateway, client, exportedHost, parseClientCommand, QUICK_UPDATES, registration, servedCaFingerprint, clearRegistrations, swarmgateObjects, type ClientCommand } from './journey-steps.js'

useEngine(t, { images: ['registration', 'server-proxy', 'client-proxy', 'client'] })

const suffix = randomBytes(3).toString('hex')
const swarm = `alice/journey-${suffix}`
const password = `correct horse ${suffix}`
const volume = `swarmgate-client-test-${suffix}`
let registered: ClientCommand
let gateway: string

t.before(async () => {
  // A leftover registration (not test-labelled) would make this one a re-registration.
  await clearRegistrations((line) => t.comment(line))
})

t.test('registration without a terminal prints the client command', async (t) => {
  gateway = await bridgeGateway()
  // The client's containers reach this machine at the bridge gateway; the certificate must name it.
  const r = await registration(['--username', 'alice', '--password-stdin', '--name', swarm, '--endpoint', `${gateway}:2376`, '--endpoint', '127.0.0.1:2376', ...QUICK_UPDATES], { input: `${password}\n` })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, `Successfully registered the swarm as ${swarm}\nYou can now access this cluster using the following command in any Docker Engine:\n    docker run --rm -ti -v /var/run/docker.sock:/var/run/docker.sock -e DOCKER_HOST swarmgate/client ${swarm} --endpoint`)
  t.match(r.stderr, /Create the owner's account \(a local account of this swarm\):[\s\S]*Registering this Docker cluster\.\.\.[\s\S]*1\/1 managers running server-proxy/)
  registered = parseClientCommand(r.stdout)
  t.same(registered.endpoints, [`${gateway}:2376`, '127.0.0.1:2376'])
  t.equal(await servedCaFingerprint('127.0.0.1', 2376), registered.fingerprint, 'the printed fingerprint is the CA server-proxy serves')
  const service = await dockerJson<{ Spec: { Mode: unknown, TaskTemplate: { Placement: { Constraints: string[] } }, EndpointSpec: { Ports: unknown[] } } }>(['service', 'inspect', 'swarmgate-server-proxy', '--format', '{{json .}}'])
  t.same(service.Spec.Mode, { Global: {} })
  t.same(service.Spec.TaskTemplate.Placement.Constraints, ['node.role==manager'])
  t.match(service.Spec.EndpointSpec.Ports, [{ TargetPort: 2376, PublishedPort: 2376, PublishMode: 'host' }])
  t.match(await docker(['network', 'ls', '--filter', 'name=swarmgate-server-proxy-network', '--format', '{{.Name}} {{.Driver}}']), 'swarmgate-server-proxy-network overlay')
})

let host: string

t.test('the client logs in and starts the proxy; --quiet prints only the export line', async (t) => {
  const r = await client(volume, [swarm, '--endpoint', `${gateway}:2376`, '--fingerprint', registered.fingerprint, '--username', 'alice', '--password-stdin', '--quiet'], { input: `${password}\n` })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^export DOCKER_HOST=tcp:\/\/127\.0\.0\.1:\d+\n$/, 'standard output is the export line and nothing else')
  host = exportedHost(r.stdout)
  const name = `swarmgate_client_proxy_${swarm.replace('/', '_')}`
  const c = await dockerJson<{ Config: { Env: string[], Cmd: string[] | null, Entrypoint: string[], User: string }, HostConfig: { NetworkMode: string, RestartPolicy: { Name: string }, PortBindings: Record<string, Array<{ HostIp: string }>> | null } }>(['inspect', name, '--format', '{{json .}}'])
  t.equal(c.HostConfig.RestartPolicy.Name, 'unless-stopped')
  // This machine's engine is a Linux engine on the machine itself: the host network by default.
  t.equal(c.HostConfig.NetworkMode, 'host', 'on the host network')
  t.ok(c.Config.Env.includes('SWARMGATE_LISTEN_HOST=127.0.0.1'), 'listening on loopback only')
  t.same(Object.values(c.HostConfig.PortBindings ?? {}).flat(), [], 'nothing published')
  const port = Number(new URL(host.replace(/^tcp:/, 'http:')).port)
  t.equal(await connectError(gateway, port), 'ECONNREFUSED', 'not at the bridge gateway, an address of this machine that containers reach')
  t.ok(c.Config.Env.includes(`SWARMGATE_REFRESH_TOKEN_FILE=/state/swarms/${swarm}/refresh-token`))
  const token = (await docker(['run', '--rm', ...LABEL_ARGS, '-v', `${volume}:/s`, BUSYBOX_IMAGE, 'cat', `/s/swarms/${swarm}/refresh-token`])).trim()
  t.match(token, /^ey[\w-]+\.[\w-]+\.[\w-]+$/, 'the volume holds the refresh token')
  const inspected = await docker(['inspect', name])
  t.notOk(inspected.includes(token) || inspected.includes(password), 'docker inspect shows no credential')
  const modes = await docker(['run', '--rm', ...LABEL_ARGS, '-v', `${volume}:/s`, BUSYBOX_IMAGE, 'sh', '-c', `stat -c '%a %u' /s/swarms /s/swarms/${swarm} /s/swarms/${swarm}/refresh-token`])
  t.same(modes.split('\n'), ['700 10001', '700 10001', '600 10001'], 'folders 0700, files 0600, owned by the proxy user')
})

t.test('the docker CLI works through DOCKER_HOST: node ls, service create/scale/rm, exec', async (t) => {
  const through = { host }
  t.match(await docker(['node', 'ls', '--format', '{{.ManagerStatus}} {{.Status}}'], through), 'Leader Ready')
  const service = `journey-${suffix}`
  await docker(['service', 'create', '-d', '--no-resolve-image', '--name', service, ...SERVICE_LABEL_ARGS, BUSYBOX_IMAGE, 'sleep', '600'], through)
  await docker(['service', 'scale', '-d', `${service}=2`], through)
  await waitFor('two running replicas', async () => {
    const states = await docker(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', service], through)
    return states.split('\n').filter((s) => s.startsWith('Running')).length === 2 ? true : undefined
  }, { timeoutMs: 60_000 })
  await docker(['service', 'rm', service], through)
  t.equal((await runDocker(['service', 'inspect', service])).code, 1, 'the service is gone on the engine itself')
  const id = await docker(['run', '-d', ...LABEL_ARGS, BUSYBOX_IMAGE, 'sleep', '600'], through)
  t.equal(await docker(['exec', id, 'echo', 'hello from exec'], through), 'hello from exec')
  t.equal((await runDocker(['exec', id, 'sh', '-c', 'exit 3'], through)).code, 3, 'exit codes pass through')
  await docker(['rm', '-f', id], through)
})

t.test('a second run reuses the saved login and the running proxy, asking nothing', async (t) => {
  const r = await client(volume, [swarm])
  t.equal(r.code, 0, r.stderr)
  t.equal(exportedHost(r.stdout), host, 'the same address')
  t.match(r.stdout, `=> You can now start using the swarm ${swarm} by executing:\n    export DOCKER_HOST=${host}\n`)
  t.match(r.stderr, /Using the saved login of alice/)
  t.notMatch(r.stderr, /Username|Password/)
  t.match(await docker(['version', '--format', '{{.Server.Version}}'], { host }), /\d+\.\d+/)
})

t.test('a wrong password is refused and nothing is asked without a terminal', async (t) => {
  const other = `${volume}-wrong`
  const r = await client(other, [swarm, '--endpoint', `${gateway}:2376`, '--fingerprint', registered.fingerprint, '--username', 'alice', '--password-stdin'], { input: 'not the password\n' })
  t.equal(r.code, 1)
  t.match(r.stderr, `swarmgate-client: login refused: wrong username or password for ${swarm}`)
  t.equal(r.stdout, '')
  const noTerminal = await client(other, [swarm, '--endpoint', `${gateway}:2376`, '--fingerprint', registered.fingerprint])
  t.equal(noTerminal.code, 2)
  t.match(noTerminal.stderr, /cannot ask "Username" without a terminal: pass --username/)
})

t.test('a wrong fingerprint is refused before the password is sent', async (t) => {
  const r = await client(`${volume}-pin`, [swarm, '--endpoint', `${gateway}:2376`, '--fingerprint', `sha256:${'0'.repeat(64)}`, '--username', 'alice', '--password-stdin'], { input: `${password}\n` })
  t.equal(r.code, 1)
  t.match(r.stderr, /did not prove its identity[\s\S]*does not match the pinned fingerprint/)
})

t.test('an endpoint nobody answers on is named', async (t) => {
  const r = await client(`${volume}-dead`, [swarm, '--endpoint', `${gateway}:1`, '--fingerprint', registered.fingerprint, '--username', 'alice', '--password-stdin'], { input: `${password}\n` })
  t.equal(r.code, 1)
  t.match(r.stderr, new RegExp(`cannot reach the swarm[\\s\\S]*${gateway.replaceAll('.', '\\.')}:1: .*ECONNREFUSED`))
})

t.test('--network host: the proxy on the host network reaches 127.0.0.1 endpoints', async (t) => {
  const r = await client(volume, [swarm, '--endpoint', '127.0.0.1:2376', '--network', 'host', '--quiet'], { runArgs: ['--network', 'host'] })
  t.equal(r.code, 0, r.stderr)
  const hostNetHost = exportedHost(r.stdout)
  const c = await dockerJson<{ HostConfig: { NetworkMode: string } }>(['inspect', `swarmgate_client_proxy_${swarm.replace('/', '_')}`, '--format', '{{json .}}'])
  t.equal(c.HostConfig.NetworkMode, 'host')
  t.match(await docker(['node', 'ls', '--format', '{{.Status}}'], { host: hostNetHost }), 'Ready')
})

t.test('ls lists the swarm; rm removes the proxy and the login', async (t) => {
  const ls = await client(volume, ['ls'])
  t.equal(ls.code, 0, ls.stderr)
  t.match(ls.stdout, new RegExp(`^SWARM +ACCOUNT +PROXY +DOCKER_HOST +ENDPOINTS\\n${swarm} +alice +running`))
  const rm = await client(volume, ['rm', swarm])
  t.equal(rm.code, 0, rm.stderr)
  t.equal((await runDocker(['inspect', `swarmgate_client_proxy_${swarm.replace('/', '_')}`])).code, 1, 'the proxy container is gone')
  t.equal((await client(volume, ['ls'])).stdout, 'SWARM  ACCOUNT  PROXY  DOCKER_HOST  ENDPOINTS\n')
  const again = await client(volume, [swarm])
  t.equal(again.code, 1)
  t.match(again.stderr, /pass --endpoint/)
})

t.test('deregister removes every swarmgate object', async (t) => {
  const r = await registration(['deregister', '--yes'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, `Deregistered ${swarm}: removed 2 service(s), 1 network(s) and 9 secret(s).`)
  await waitFor('the swarmgate objects to be gone', async () => (await swarmgateObjects()).length === 0 ? true : undefined, { timeoutMs: 30_000 })
})

/** The error code of connecting to `host`:`port`, or 'connected'. */
async function connectError (host: string, port: number): Promise<string> {
  return await new Promise((resolve) => {
    const s = net.connect({ host, port }, () => { s.destroy(); resolve('connected') })
    s.on('error', (err: NodeJS.ErrnoException) => { resolve(err.code ?? err.message) })
  })
}
