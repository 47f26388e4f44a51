/**
 * Authorization (issue 10): an operator's attempts to reach the host or the swarm's control plane
 * through the Docker API, sent as raw calls over TLS to server-proxy. Each is refused with a 403
 * naming the operator and the rule (or 400/413/415 for a body that cannot be decoded with
 * certainty), the refused call never reaches the engine (the relay in front of the engine socket
 * sees nothing but the lookups server-proxy makes to decide), and nothing changes on the engine.
 * The keys are spelled the ways Go's encoding/json would still read them: any case, JSON escapes,
 * `ſ` for s and `K` (Kelvin) for k, repeated, the deprecated top-level HostConfig fields.
 * The controls at the end show an operator's ordinary calls still pass.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { BUSYBOX_IMAGE, ENGINE_SOCKET, LABEL_ARGS, docker, useEngine } from '../testbed/index.js'
import { logsOnFailure } from '../harness/chain.js'
import type { RawRequest } from '../harness/tls-exchange.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import {
  ESCAPE_LABELS, createBody, createBodyText, expectAllowed, expectRefused, postJson, startEscapeBed,
  type Attempt, type EscapeBed
} from '../harness/escapes.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
let bed: EscapeBed
/** Containers an operator could not have created (and one it could), made on the socket as the owner would. */
const target = { own: '', privileged: '', hostBind: '', swarmgate: '', privilegedExec: '', protectedSecret: '', node: '' }

t.before(async () => {
  bed = await startEscapeBed()
  const runDetached = async (name: string, args: readonly string[]): Promise<string> =>
    await docker(['run', '-d', ...CONTAINER_ARGS, '--name', `sg-esc-op-${name}-${run}`, ...args, BUSYBOX_IMAGE, 'sleep', '600'])
  target.own = await runDetached('own', [])
  // Created, not started: a nested engine like this test machine's cannot start a privileged
  // container ("unable to apply caps"), and the policy decides on the container's HostConfig.
  target.privileged = await docker(['create', ...CONTAINER_ARGS, '--name', `sg-esc-op-privileged-${run}`, '--privileged', BUSYBOX_IMAGE, 'sleep', '600'])
  target.hostBind = await runDetached('host-bind', ['-v', '/etc:/host-etc:ro'])
  // Stands in for server-proxy's task: registration labels everything it makes with io.swarmgate.component.
  target.swarmgate = await runDetached('swarmgate', ['--label', 'io.swarmgate.component=server-proxy'])
  target.privilegedExec = JSON.parse((await postSocket(`/containers/${target.own}/exec`, { Cmd: ['id'], Privileged: true })).toString()).Id as string
  // A secret of swarmgate's own (component label, no kind label: registration does not read it).
  target.protectedSecret = await docker(['secret', 'create', ...LABEL_ARGS, '--label', 'io.swarmgate.component=server-proxy', `sg-esc-op-secret-${run}`, '-'], { input: 'not a real key' })
  target.node = await docker(['node', 'inspect', 'self', '--format', '{{.ID}}'])
})
t.teardown(async () => {
  logsOnFailure(t, bed?.chain)
  await bed?.close()
})

/** A JSON POST on the engine socket: what the owner would do, for a target no CLI command makes (an exec created, not started). */
async function postSocket (path: string, body: unknown): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const req = http.request({ socketPath: ENGINE_SOCKET, method: 'POST', path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)))
    })
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

const CREATE = '/v1.41/containers/create'
const create = (hostConfig: Record<string, unknown>, top: Record<string, unknown> = {}): RawRequest => postJson(CREATE, createBody(hostConfig, top))
const createText = (hostConfigText: string): RawRequest => postJson(CREATE, createBodyText(hostConfigText))
const asOperator = (name: string, request: Attempt['request'], rule?: string | RegExp, status?: readonly number[]): Attempt =>
  ({ name, role: 'operator', request, rule, status })
const UNDECODABLE = [400] as const
/** Entering or changing swarmgate's objects, and creating what carries its names or labels. */
const SWARMGATE = /swarmgate-object|swarmgate-reserved/

const CONTAINER_ESCAPES: Attempt[] = [
  asOperator('HostConfig.Privileged', create({ Privileged: true }), 'no-privileged'),
  asOperator('privileged (lower case)', create({ privileged: true }), 'no-privileged'),
  asOperator('PRIVILEGED (upper case)', create({ PRIVILEGED: true }), 'no-privileged'),
  asOperator('\\u0050rivileged (a JSON escape in the key)', createText('{"\\u0050rivileged":true}'), 'no-privileged'),
  asOperator('hostconfig (outer key in lower case)', postJson(CREATE, `{"Image":"${BUSYBOX_IMAGE}","Labels":${JSON.stringify(ESCAPE_LABELS)},"hostconfig":{"Privileged":true}}`), 'no-privileged'),
  asOperator('deprecated top-level Privileged, no HostConfig', postJson(CREATE, JSON.stringify({ Image: BUSYBOX_IMAGE, Labels: ESCAPE_LABELS, Privileged: true })), 'no-privileged'),
  asOperator('deprecated top-level Binds, no HostConfig', postJson(CREATE, JSON.stringify({ Image: BUSYBOX_IMAGE, Labels: ESCAPE_LABELS, Binds: ['/:/host'] })), 'no-host-bind'),
  asOperator('Privileged repeated, true last (Go keeps the last)', createText('{"Privileged":false,"Privileged":true}'), 'no-privileged', [400, 403]),
  asOperator('Privileged then privileged (keys equal under case folding)', createText('{"Privileged":false,"privileged":true}'), 'no-privileged', [400, 403]),
  asOperator('HostConfig repeated (Go merges the second into the first)', postJson(CREATE, `{"Image":"${BUSYBOX_IMAGE}","Labels":${JSON.stringify(ESCAPE_LABELS)},"HostConfig":{"Privileged":true},"HostConfig":{"Memory":0}}`), 'no-privileged', [400, 403]),
  asOperator('a second JSON value after the body (the engine reads the first)', postJson(CREATE, `${createBody({ Privileged: true })}\n${createBody()}`), 'no-privileged', [400, 403]),
  asOperator('trailing data after an innocent body', postJson(CREATE, `${createBody()} {"HostConfig":{"Privileged":true}}`), undefined, UNDECODABLE),
  asOperator('Privileged of the wrong type (1)', createText('{"Privileged":1}'), undefined, UNDECODABLE),
  asOperator('invalid JSON', postJson(CREATE, '{"Image":"x","HostConfig":{"Privileged":true}'), undefined, UNDECODABLE),
  asOperator('invalid UTF-8 in a key', postJson(CREATE, Buffer.concat([Buffer.from('{"Image":"x","HostConfig":{"Privileged":true,"'), Buffer.from([0xff, 0xfe]), Buffer.from('":1}}')])), undefined, [400, 403]),
  asOperator('Binds of /', create({ Binds: ['/:/host'] }), 'no-host-bind'),
  asOperator('Binds of the engine socket', create({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }), 'no-host-bind'),
  asOperator('Binds of /tmp/../ (a path that cleans to /)', create({ Binds: ['/tmp/../:/host:ro'] }), 'no-host-bind'),
  asOperator('Bindſ (U+017F folds to s in Go)', createText('{"Bind\u017f":["/:/host"]}'), 'no-host-bind'),
  asOperator('BINDS', createText('{"BINDS":["/:/host"]}'), 'no-host-bind'),
  asOperator('Mounts of type bind', create({ Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] }), 'no-host-bind'),
  asOperator('Mounts of a local volume whose driver options bind /', create({ Mounts: [{ Type: 'volume', Source: `sg-esc-op-vol-${run}`, Target: '/v', VolumeOptions: { Labels: ESCAPE_LABELS, DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind', device: '/' } } } }] }), /no-host-volume|no-host-bind/),
  asOperator('VolumesFrom a container with a host bind', () => create({ VolumesFrom: [target.hostBind] }), 'no-volumes-from'),
  asOperator('VolumeſFrom', () => createText(`{"Volume\u017fFrom":[${JSON.stringify(target.hostBind)}]}`), 'no-volumes-from'),
  asOperator('PidMode host', create({ PidMode: 'host' }), 'no-host-namespace'),
  asOperator('IpcMode host', create({ IpcMode: 'host' }), 'no-host-namespace'),
  asOperator('UTSMode host', create({ UTSMode: 'host' }), 'no-host-namespace'),
  asOperator('UsernsMode host', create({ UsernsMode: 'host' }), 'no-host-namespace'),
  asOperator('CgroupnsMode host', create({ CgroupnsMode: 'host' }), 'no-host-namespace'),
  asOperator('NetworkMode host', create({ NetworkMode: 'host' }), /no-host-namespace|no-host-network/),
  asOperator('Networ\u212aMode host (U+212A Kelvin sign folds to k in Go)', createText('{"Networ\u212aMode":"host"}'), /no-host-namespace|no-host-network/),
  asOperator('PidMode container:<another container>', () => create({ PidMode: `container:${target.own}` }), /no-host-namespace|no-container-namespace/),
  asOperator('CapAdd SYS_ADMIN', create({ CapAdd: ['SYS_ADMIN'] }), 'no-capability'),
  asOperator('CapAdd cap_sys_admin (prefix and lower case)', create({ CapAdd: ['cap_sys_admin'] }), 'no-capability'),
  asOperator('CapAdd ALL', create({ CapAdd: ['ALL'] }), 'no-capability'),
  asOperator('Capabilities (the whole set, API 1.40+)', create({ Capabilities: ['CAP_SYS_ADMIN', 'CAP_CHOWN'] }), 'no-capability'),
  asOperator('Devices /dev/mem', create({ Devices: [{ PathOnHost: '/dev/mem', PathInContainer: '/dev/mem', CgroupPermissions: 'rwm' }] }), 'no-devices'),
  asOperator('DeviceCgroupRules a *:* rwm', create({ DeviceCgroupRules: ['a *:* rwm'] }), 'no-devices'),
  asOperator('SecurityOpt seccomp=unconfined', create({ SecurityOpt: ['seccomp=unconfined'] }), 'no-security-opt'),
  asOperator('ſecurityOpt apparmor:unconfined (old colon syntax)', createText('{"\u017fecurityOpt":["apparmor:unconfined"]}'), 'no-security-opt'),
  asOperator('SecurityOpt label=disable', create({ SecurityOpt: ['label=disable'] }), 'no-security-opt'),
  asOperator('MaskedPaths switched off', create({ MaskedPaths: [] }), /no-security-opt|no-system-paths/),
  asOperator('Runtime other than runc', create({ Runtime: 'sg-escape-runtime' }), 'no-runtime'),
  asOperator('CgroupParent /', create({ CgroupParent: '/' }), 'no-cgroup-parent'),
  asOperator('a swarmgate label on a container', postJson(CREATE, createBody({}, { Labels: { ...ESCAPE_LABELS, 'io.swarmgate.component': 'server-proxy' } })), SWARMGATE),
  asOperator('a swarmgate-* container name', postJson(`${CREATE}?name=swarmgate-server-proxy.1.x${run}`, createBody()), SWARMGATE),
  asOperator('a swarmgate-* name as the first of two name parameters (the engine reads the first)', postJson(`${CREATE}?name=swarmgate-x${run}&name=sg-esc-ok-${run}`, createBody()), SWARMGATE),
  asOperator('a swarmgate-* name percent-encoded in the query', postJson(`${CREATE}?name=%73warmgate-y${run}`, createBody()), SWARMGATE)
]

const ENTER_ESCAPES: Attempt[] = [
  asOperator('exec into a privileged container', () => postJson(`/v1.41/containers/${target.privileged}/exec`, '{"Cmd":["id"]}'), 'no-privileged'),
  asOperator('exec into a container with a host bind', () => postJson(`/v1.41/containers/${target.hostBind}/exec`, '{"Cmd":["id"]}'), 'no-host-bind'),
  asOperator("exec into swarmgate's server-proxy task", () => postJson(`/v1.41/containers/${target.swarmgate}/exec`, '{"Cmd":["id"]}'), SWARMGATE),
  asOperator('a privileged exec in its own container', () => postJson(`/v1.41/containers/${target.own}/exec`, '{"Cmd":["id"],"Privileged":true}'), 'no-privileged'),
  asOperator('a privileged exec spelled pRIVILEGED', () => postJson(`/v1.41/containers/${target.own}/exec`, '{"Cmd":["id"],"pRIVILEGED":true}'), 'no-privileged'),
  asOperator("start an owner's privileged exec (hijack)", () => ({ ...postJson(`/v1.41/exec/${target.privilegedExec}/start`, '{"Detach":false,"Tty":false}'), headers: [['Content-Type', 'application/json'], ['Connection', 'Upgrade'], ['Upgrade', 'tcp']] }), 'no-privileged'),
  asOperator('attach to a privileged container (hijack)', () => ({ method: 'POST', target: `/v1.41/containers/${target.privileged}/attach?stream=1&stdout=1`, headers: [['Connection', 'Upgrade'], ['Upgrade', 'tcp']] }), 'no-privileged'),
  asOperator('attach to a privileged container over a WebSocket (a GET)', () => ({ method: 'GET', target: `/v1.41/containers/${target.privileged}/attach/ws?stream=1&stdout=1`, headers: [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']] }), 'no-privileged'),
  asOperator('archive GET from a container with a host bind', () => ({ method: 'GET', target: `/v1.41/containers/${target.hostBind}/archive?path=/host-etc/hostname` }), 'no-host-bind'),
  asOperator('archive PUT into a privileged container', () => ({ method: 'PUT', target: `/v1.41/containers/${target.privileged}/archive?path=/tmp`, headers: [['Content-Type', 'application/x-tar']], body: Buffer.alloc(1024) }), 'no-privileged'),
  asOperator("kill swarmgate's server-proxy task", () => ({ method: 'POST', target: `/v1.41/containers/${target.swarmgate}/kill` }), SWARMGATE),
  asOperator("rename swarmgate's server-proxy task by name", () => ({ method: 'POST', target: `/v1.41/containers/sg-esc-op-swarmgate-${run}/rename?name=sg-esc-renamed-${run}` }), SWARMGATE)
]

const serviceSpec = (containerSpec: Record<string, unknown>, top: Record<string, unknown> = {}): string => JSON.stringify({
  Name: `sg-esc-op-svc-${run}`, Labels: ESCAPE_LABELS, ...top,
  TaskTemplate: { ContainerSpec: { Image: BUSYBOX_IMAGE, Command: ['sleep', '600'], Labels: ESCAPE_LABELS, ...containerSpec } }
})

const SWARM_ESCAPES: Attempt[] = [
  asOperator('a service with a bind mount of /', postJson('/v1.41/services/create', serviceSpec({ Mounts: [{ Type: 'bind', Source: '/', Target: '/host' }] })), 'no-host-bind'),
  asOperator('a service with CapabilityAdd CAP_SYS_ADMIN', postJson('/v1.41/services/create', serviceSpec({ CapabilityAdd: ['CAP_SYS_ADMIN'] })), 'no-capability'),
  asOperator('a service on the host network', postJson('/v1.41/services/create', JSON.stringify({ ...JSON.parse(serviceSpec({})) as object, Networks: [{ Target: 'host' }] })), /no-host-network|no-host-namespace/),
  asOperator("a service given swarmgate's own secret", () => postJson('/v1.41/services/create', serviceSpec({ Secrets: [{ SecretID: target.protectedSecret, SecretName: `sg-esc-op-secret-${run}`, File: { Name: 'keys', UID: '0', GID: '0', Mode: 292 } }] })), SWARMGATE),
  asOperator('a service named swarmgate-server-proxy', postJson('/v1.41/services/create', serviceSpec({}, { Name: 'swarmgate-server-proxy' })), SWARMGATE),
  asOperator('a volume whose driver options bind /', postJson('/v1.41/volumes/create', JSON.stringify({ Name: `sg-esc-op-bindvol-${run}`, Driver: 'local', DriverOpts: { type: 'none', o: 'bind', device: '/' }, Labels: ESCAPE_LABELS })), /no-host-volume|no-host-bind/),
  asOperator('a macvlan network', postJson('/v1.41/networks/create', JSON.stringify({ Name: `sg-esc-op-net-${run}`, Driver: 'macvlan', Labels: ESCAPE_LABELS })), 'no-network-driver'),
  asOperator('a secret named like swarmgate\'s', postJson('/v1.41/secrets/create', JSON.stringify({ Name: `swarmgate-accounts-v9${run}`, Labels: ESCAPE_LABELS, Data: 'e30=' })), SWARMGATE),
  asOperator('a secret carrying io.swarmgate.kind (an account store registration would read)', postJson('/v1.41/secrets/create', JSON.stringify({ Name: `sg-esc-op-kind-${run}`, Labels: { ...ESCAPE_LABELS, 'io.swarmgate.kind': 'accounts' }, Data: 'e30=' })), SWARMGATE),
  asOperator("remove swarmgate's secret", () => ({ method: 'DELETE', target: `/v1.41/secrets/${target.protectedSecret}` }), SWARMGATE),
  asOperator('GET /swarm (the join tokens)', { method: 'GET', target: '/v1.41/swarm' }, 'no-join-tokens'),
  asOperator('GET /swarm/unlockkey', { method: 'GET', target: '/v1.41/swarm/unlockkey' }, 'no-join-tokens'),
  asOperator('swarm init', postJson('/v1.41/swarm/init', '{"ListenAddr":"127.0.0.1:2377"}'), 'no-swarm-control'),
  asOperator('swarm join', postJson('/v1.41/swarm/join', '{"ListenAddr":"127.0.0.1:2377","RemoteAddrs":["127.0.0.1:1"],"JoinToken":"x"}'), 'no-swarm-control'),
  // Without force the engine itself refuses to let its last manager leave: harmless if it got through.
  asOperator('swarm leave', { method: 'POST', target: '/v1.41/swarm/leave' }, 'no-swarm-control'),
  asOperator('swarm update (rotate the join tokens)', postJson('/v1.41/swarm/update?version=1&rotateWorkerToken=true&rotateManagerToken=true', '{}'), 'no-swarm-control'),
  asOperator('swarm unlock', postJson('/v1.41/swarm/unlock', '{"UnlockKey":"SWMKEY-1-x"}'), 'no-swarm-control'),
  asOperator('node update (availability drain)', () => postJson(`/v1.41/nodes/${target.node}/update?version=1`, '{"Role":"manager","Availability":"drain"}'), 'no-node-changes'),
  asOperator('node delete', { method: 'DELETE', target: '/v1.41/nodes/sg-esc-no-such-node' }, 'no-node-changes'),
  asOperator('plugin pull', postJson('/v1.41/plugins/pull?remote=127.0.0.1:1/sg-escape/plugin', '[]'), 'no-plugins'),
  asOperator('plugin enable', { method: 'POST', target: '/v1.41/plugins/sg-escape-plugin/enable' }, 'no-plugins'),
  asOperator('BuildKit session (Upgrade: h2c)', { method: 'POST', target: '/v1.41/session', headers: [['Connection', 'Upgrade'], ['Upgrade', 'h2c'], ['X-Docker-Expose-Session-Uuid', 'x']] }, 'no-buildkit'),
  asOperator('BuildKit build (version=2)', { method: 'POST', target: '/v1.41/build?version=2', headers: [['Content-Type', 'application/x-tar']], body: Buffer.alloc(1024) }, 'no-buildkit'),
  asOperator('classic build with networkmode=host', { method: 'POST', target: '/v1.41/build?networkmode=host', headers: [['Content-Type', 'application/x-tar']], body: Buffer.alloc(1024) }, /no-host-namespace|no-host-network/),
  asOperator('checkpoint create', () => postJson(`/v1.41/containers/${target.own}/checkpoints`, '{"CheckpointID":"x"}'), 'no-checkpoints'),
  asOperator('a route the policy does not know', { method: 'POST', target: '/v1.41/containers/sg-esc/escape-hatch' }, 'unknown-route'),
  asOperator('a route the policy does not know (GET)', { method: 'GET', target: '/v1.41/swarmgate-unknown/route' }, 'unknown-route')
]

// tap does not report a failing second t.before (useEngine has the first): check what it made.
t.test('the targets were made', async (t) => {
  for (const [name, value] of Object.entries(target)) t.match(value, /^[0-9a-z]{12,}$/, `${name}: ${value}`)
})

for (const [group, attempts] of [['container create', CONTAINER_ESCAPES], ['entering containers', ENTER_ESCAPES], ['swarm, services and the host', SWARM_ESCAPES]] as const) {
  t.test(`operator: ${group}`, { timeout: 180_000 }, async (t) => {
    for (const attempt of attempts) {
      await t.test(attempt.name, async (t) => {
        await expectRefused(t, bed, attempt, [target.own, target.privileged, target.hostBind, target.swarmgate])
      })
    }
  })
}

t.test('operator controls: its ordinary calls pass', { timeout: 60_000 }, async (t) => {
  const created = await expectAllowed(t, bed, 'operator', postJson(`${CREATE}?name=sg-esc-op-ok-${run}`, createBody({
    Privileged: false, CapAdd: ['CHOWN', 'cap_net_bind_service'], SecurityOpt: ['no-new-privileges'], Binds: [`sg-esc-op-named-${run}:/data`], RestartPolicy: { Name: 'no' }
  })), 201)
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id
  t.teardown(async () => { await docker(['rm', '-f', '-v', id]).catch(() => {}); await docker(['volume', 'rm', `sg-esc-op-named-${run}`]).catch(() => {}) })
  t.equal(await docker(['inspect', '-f', '{{.HostConfig.Privileged}}', id]), 'false', 'the container exists, as asked')
  await expectAllowed(t, bed, 'operator', postJson(`/v1.41/containers/${target.own}/exec`, '{"Cmd":["id"],"AttachStdout":true}'), 201)
  await expectAllowed(t, bed, 'operator', { method: 'GET', target: `/v1.41/containers/${target.own}/archive?path=/etc/hostname` }, 200)
  await expectAllowed(t, bed, 'operator', { method: 'GET', target: '/v1.41/nodes' }, 200)
  const secret = await expectAllowed(t, bed, 'operator', postJson('/v1.41/secrets/create', JSON.stringify({ Name: `sg-esc-op-ok-secret-${run}`, Labels: ESCAPE_LABELS, Data: 'e30=' })), 201)
  t.match(JSON.parse(secret.body.toString()), { ID: /\S/ }, 'an ordinary secret is created')
  // The owner may what the operator may not: the refusals above are the policy's, not the engine's.
  const owner = await bed.send('owner', postJson(`${CREATE}?name=sg-esc-op-owner-${run}`, createBody({ Privileged: true })))
  t.equal(owner.status, 201, `the owner creates a privileged container (${owner.body.toString()})`)
  const join = await bed.send('owner', { method: 'GET', target: '/v1.41/swarm' })
  t.equal(join.status, 200, 'the owner reads /swarm')
})
