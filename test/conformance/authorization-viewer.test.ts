/**
 * Authorization (issue 10): a viewer reads and nothing more. Each attempt to change state, enter a
 * container (exec, attach hijacked or over a WebSocket GET, archive), export files or images, or
 * read the join tokens is a raw call over TLS to server-proxy, refused with a 403 naming the viewer
 * and the rule, never reaching the engine, and changing nothing on it. The controls at the end
 * show a viewer's reads pass.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { BUSYBOX_IMAGE, LABEL_ARGS, docker, useEngine } from '../testbed/index.js'
import { logsOnFailure } from '../harness/chain.js'
import type { RawRequest } from '../harness/tls-exchange.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { ESCAPE_LABELS, createBody, expectAllowed, expectRefused, postJson, startEscapeBed, type Attempt, type EscapeBed } from '../harness/escapes.js'

useEngine(t)

const run = randomBytes(4).toString('hex')
let bed: EscapeBed
let box = ''
let service = ''

t.before(async () => {
  bed = await startEscapeBed()
  box = await docker(['run', '-d', ...CONTAINER_ARGS, '--name', `sg-esc-view-${run}`, BUSYBOX_IMAGE, 'sleep', '600'])
  service = await docker(['service', 'create', '--detach', '--name', `sg-esc-view-svc-${run}`, ...LABEL_ARGS, '--container-label', `${Object.keys(ESCAPE_LABELS)[0] as string}=${Object.values(ESCAPE_LABELS)[0] as string}`,
    '--no-resolve-image', '--replicas', '0', BUSYBOX_IMAGE, 'sleep', '600'])
})
t.teardown(async () => {
  logsOnFailure(t, bed?.chain)
  await bed?.close()
})

const READ_ONLY = /read-only|no-join-tokens/
const asViewer = (name: string, request: Attempt['request']): Attempt => ({ name, role: 'viewer', request, rule: READ_ONLY })
const hijack = (target: string, body?: string): RawRequest => ({
  method: 'POST', target, body, headers: [['Content-Type', 'application/json'], ['Connection', 'Upgrade'], ['Upgrade', 'tcp']]
})

const VIEWER_ESCAPES: Attempt[] = [
  asViewer('container create', postJson('/v1.41/containers/create', createBody())),
  asViewer('container create without the version prefix', postJson('/containers/create', createBody())),
  asViewer('container start', () => ({ method: 'POST', target: `/v1.41/containers/${box}/start` })),
  asViewer('container kill', () => ({ method: 'POST', target: `/v1.41/containers/${box}/kill` })),
  asViewer('container stop, lower-case hex of the id prefix', () => ({ method: 'POST', target: `/v1.41/containers/${box.slice(0, 12)}/stop?t=0` })),
  asViewer('container remove', () => ({ method: 'DELETE', target: `/v1.41/containers/${box}?force=1` })),
  asViewer('container update', () => postJson(`/v1.41/containers/${box}/update`, '{"CpuShares":2}')),
  asViewer('container rename', () => ({ method: 'POST', target: `/v1.41/containers/${box}/rename?name=sg-esc-renamed-${run}` })),
  asViewer('exec create', () => postJson(`/v1.41/containers/${box}/exec`, '{"Cmd":["id"],"AttachStdout":true}')),
  asViewer('attach (hijack)', () => hijack(`/v1.41/containers/${box}/attach?stream=1&stdout=1`)),
  asViewer('attach over a WebSocket (a GET)', () => ({
    method: 'GET',
    target: `/v1.41/containers/${box}/attach/ws?stream=1&stdout=1`,
    headers: [['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Version', '13'], ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==']]
  })),
  asViewer('archive GET (docker cp from)', () => ({ method: 'GET', target: `/v1.41/containers/${box}/archive?path=/etc/passwd` })),
  asViewer('archive PUT (docker cp to)', () => ({ method: 'PUT', target: `/v1.41/containers/${box}/archive?path=/tmp`, headers: [['Content-Type', 'application/x-tar']], body: Buffer.alloc(1024) })),
  asViewer('container export', () => ({ method: 'GET', target: `/v1.41/containers/${box}/export` })),
  asViewer('container export, percent-encoded route', () => ({ method: 'GET', target: `/v1.41/containers/${box}/%65xport` })),
  asViewer('image save (images/get)', { method: 'GET', target: `/v1.41/images/get?names=${encodeURIComponent(BUSYBOX_IMAGE)}` }),
  asViewer('image save of one image', { method: 'GET', target: `/v1.41/images/${encodeURIComponent(BUSYBOX_IMAGE)}/get` }),
  asViewer('image tag', { method: 'POST', target: `/v1.41/images/${encodeURIComponent(BUSYBOX_IMAGE)}/tag?repo=swarmgate-test/viewer-tag&tag=${run}` }),
  asViewer('container commit', () => postJson(`/v1.41/commit?container=${box}&repo=swarmgate-test/viewer-commit&tag=${run}`, '{}')),
  asViewer('volume create', postJson('/v1.41/volumes/create', JSON.stringify({ Name: `sg-esc-view-vol-${run}`, Labels: ESCAPE_LABELS }))),
  asViewer('network create', postJson('/v1.41/networks/create', JSON.stringify({ Name: `sg-esc-view-net-${run}`, Labels: ESCAPE_LABELS }))),
  asViewer('secret create', postJson('/v1.41/secrets/create', JSON.stringify({ Name: `sg-esc-view-secret-${run}`, Labels: ESCAPE_LABELS, Data: 'e30=' }))),
  asViewer('service create', postJson('/v1.41/services/create', JSON.stringify({ Name: `sg-esc-view-svc2-${run}`, Labels: ESCAPE_LABELS, TaskTemplate: { ContainerSpec: { Image: BUSYBOX_IMAGE } } }))),
  asViewer('service scale (update)', () => postJson(`/v1.41/services/${service}/update?version=1`, '{}')),
  asViewer('service remove', () => ({ method: 'DELETE', target: `/v1.41/services/${service}` })),
  asViewer('system prune (containers)', { method: 'POST', target: `/v1.41/containers/prune?filters=${encodeURIComponent(JSON.stringify({ label: [`sg-esc-view-${run}`] }))}` }),
  asViewer('GET /swarm (the join tokens)', { method: 'GET', target: '/v1.41/swarm' }),
  asViewer('GET /swarm/unlockkey', { method: 'GET', target: '/v1.41/swarm/unlockkey' }),
  asViewer('GET //swarm/ (repeated and trailing slashes)', { method: 'GET', target: '/v1.41//swarm/' }),
  asViewer('build', { method: 'POST', target: '/v1.41/build', headers: [['Content-Type', 'application/x-tar']], body: Buffer.alloc(1024) }),
  asViewer('an unknown route, even as a GET', { method: 'GET', target: '/v1.41/swarmgate-unknown/route' })
]

t.test('viewer: everything but reads is refused', { timeout: 180_000 }, async (t) => {
  for (const attempt of VIEWER_ESCAPES) {
    await t.test(attempt.name, async (t) => {
      // An unknown route is refused as such; the rest as what a viewer may not do.
      // An unknown route (the engine answers //swarm/ with a redirect to /swarm/, which it does not route) is refused as such.
      await expectRefused(t, bed, { ...attempt, rule: new RegExp(`${READ_ONLY.source}|unknown-route`) }, [box])
    })
  }
})

t.test('viewer controls: reads pass', { timeout: 60_000 }, async (t) => {
  for (const target of ['/_ping', '/v1.41/version', '/v1.41/info', '/v1.41/containers/json?all=1', `/v1.41/containers/${box}/json`,
    `/v1.41/containers/${box}/top`, `/v1.41/containers/${box}/changes`, `/v1.41/containers/${box}/stats?stream=0`,
    `/v1.41/containers/${box}/logs?stdout=1`, '/v1.41/images/json', '/v1.41/system/df', '/v1.41/services', '/v1.41/tasks', '/v1.41/nodes', '/v1.41/networks', '/v1.41/volumes']) {
    await expectAllowed(t, bed, 'viewer', { method: 'GET', target }, 200)
  }
})
