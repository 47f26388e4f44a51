import t from 'tap'
import { mountedConfigId, readServerProxySettings, serverProxySpec, type ServerProxySettings } from '../src/service-spec.js'
import type { IdentitySecret } from '../src/secrets.js'

const settings: ServerProxySettings = {
  swarmName: 'alice/prod',
  image: 'swarmgate/server-proxy:1.0.0',
  port: 12376,
  endpoints: ['203.0.113.10:12376', 'swarm.example:12376'],
  endpointsGiven: true,
  fingerprint: `sha256:${'a'.repeat(64)}`,
  tokenTtl: 30,
  dockerHubUrl: undefined,
  dockerHubGrace: undefined
}

function secret (kind: IdentitySecret['kind'], version: number): IdentitySecret {
  return { id: `id-${kind}`, name: `swarmgate-${kind}-v${version}`, kind, version, labels: {} }
}

t.test('the service is global on managers, socket mounted, secrets under their targets, port in host mode', async (t) => {
  const pinned = `sha256:${'b'.repeat(64)}`
  const spec = serverProxySpec({ ...settings, imageRef: pinned, labels: { 'io.swarmgate.test': 'true' }, secrets: [secret('signing-keys', 1), secret('accounts', 3), secret('ca-key', 1), secret('tls-cert', 2), secret('tls-key', 2)], configs: [] })
  t.equal(spec.Name, 'swarmgate-server-proxy')
  t.equal(spec.TaskTemplate.ContainerSpec.Image, pinned, 'the tasks run the image pinned to its content, not a tag')
  t.equal(readServerProxySettings(spec)?.image, settings.image, 'the settings keep the name registration was given')
  t.same(spec.Mode, { Global: {} })
  t.same(spec.TaskTemplate.Placement?.Constraints, ['node.role==manager'])
  t.same(spec.TaskTemplate.Networks, [{ Target: 'swarmgate-server-proxy-network' }])
  const c = spec.TaskTemplate.ContainerSpec
  t.same(c.Mounts, [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }])
  t.same(c.Secrets?.map((s) => [s.File.Name, s.SecretName]), [
    ['swarmgate-signing-keys', 'swarmgate-signing-keys-v1'],
    ['swarmgate-accounts', 'swarmgate-accounts-v3'],
    ['swarmgate-tls-cert', 'swarmgate-tls-cert-v2'],
    ['swarmgate-tls-key', 'swarmgate-tls-key-v2']
  ], 'the CA key never reaches server-proxy')
  t.same(c.Env, ['SWARMGATE_SWARM_NAME=alice/prod', 'SWARMGATE_PORT=2376', 'SWARMGATE_METRICS_ADDRESS=0.0.0.0:9323', 'SWARMGATE_TOKEN_TTL=30s'], 'no SWARMGATE_POLICY without a policy document; metrics on the task\'s own addresses, port not published')
  t.same(c.Configs, [])
  t.equal(mountedConfigId(spec, 'policy'), undefined)
  t.match(c.Labels, { 'io.swarmgate.test': 'true', 'io.swarmgate.component': 'server-proxy' })
  t.same(c.Healthcheck?.Test.slice(-1), ['healthcheck'])
  t.same(spec.EndpointSpec?.Ports, [{ Protocol: 'tcp', TargetPort: 2376, PublishedPort: 12376, PublishMode: 'host' }])
  t.equal(spec.TaskTemplate.RestartPolicy?.Condition, 'any')
})

t.test('the settings read back from a service are the ones it was made with', async (t) => {
  const spec = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], configs: [] })
  t.same(readServerProxySettings(spec), settings)
  t.same(readServerProxySettings(serverProxySpec({ ...settings, imageRef: settings.image, tokenTtl: undefined, endpointsGiven: false, labels: {}, secrets: [], configs: [] })), { ...settings, tokenTtl: undefined, endpointsGiven: false })
  const hub = { ...settings, dockerHubUrl: 'https://hub.example.test:8443/prefix', dockerHubGrace: 600 }
  t.same(readServerProxySettings(serverProxySpec({ ...hub, imageRef: settings.image, labels: {}, secrets: [], configs: [] })), hub, 'the Docker Hub URL and grace too')
  t.equal(readServerProxySettings({ ...spec, Labels: {} }), undefined, 'a service registration did not make')
})

t.test('--update-monitor: the swarm watches updated tasks that long, and later runs keep it; the default is 15 s', async (t) => {
  const spec = serverProxySpec({ ...settings, updateMonitor: 1, imageRef: settings.image, labels: {}, secrets: [], configs: [] })
  t.same(spec.UpdateConfig, { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 1e9 })
  t.equal(readServerProxySettings(spec)?.updateMonitor, 1, 'read back, so the next command keeps it')
  const standard = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], configs: [] })
  t.equal(standard.UpdateConfig?.Monitor, 15e9)
  t.equal(readServerProxySettings(standard)?.updateMonitor, undefined, 'the default reads back as the default')
})

t.test('a policy document is mounted as a config at /run/swarmgate/policy.yaml, and SWARMGATE_POLICY names it', async (t) => {
  const spec = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], configs: [{ id: 'cfg-id', name: 'swarmgate-policy-v2', kind: 'policy', version: 2 }] })
  const c = spec.TaskTemplate.ContainerSpec
  t.same(c.Configs, [{ File: { Name: '/run/swarmgate/policy.yaml', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: 'cfg-id', ConfigName: 'swarmgate-policy-v2' }])
  t.same(c.Env?.at(-1), 'SWARMGATE_POLICY=/run/swarmgate/policy.yaml')
  t.equal(mountedConfigId(spec, 'policy'), 'cfg-id')
  t.equal(mountedConfigId(spec, 'docker-hub-ca'), undefined)
  t.same(readServerProxySettings(spec), settings, 'the policy is not a setting: commands keep the one in force')
})

t.test('Docker Hub: the URL and grace in the environment when given, the CA as a config beside the policy', async (t) => {
  const spec = serverProxySpec({
    ...settings,
    dockerHubUrl: 'https://hub.example.test',
    dockerHubGrace: 900,
    imageRef: settings.image,
    labels: {},
    secrets: [],
    configs: [{ id: 'policy-id', name: 'swarmgate-policy-v1', kind: 'policy', version: 1 }, { id: 'ca-id', name: 'swarmgate-docker-hub-ca-v3', kind: 'docker-hub-ca', version: 3 }]
  })
  const c = spec.TaskTemplate.ContainerSpec
  t.same(c.Env, [
    'SWARMGATE_SWARM_NAME=alice/prod', 'SWARMGATE_PORT=2376', 'SWARMGATE_METRICS_ADDRESS=0.0.0.0:9323', 'SWARMGATE_TOKEN_TTL=30s',
    'SWARMGATE_DOCKER_HUB_URL=https://hub.example.test', 'SWARMGATE_DOCKER_HUB_GRACE=900s',
    'SWARMGATE_POLICY=/run/swarmgate/policy.yaml', 'SWARMGATE_DOCKER_HUB_CA=/run/swarmgate/docker-hub-ca.pem'
  ])
  t.same(c.Configs?.map((m) => [m.File.Name, m.ConfigName, m.File.Mode]), [
    ['/run/swarmgate/policy.yaml', 'swarmgate-policy-v1', 0o444],
    ['/run/swarmgate/docker-hub-ca.pem', 'swarmgate-docker-hub-ca-v3', 0o444]
  ])
  t.equal(mountedConfigId(spec, 'docker-hub-ca'), 'ca-id')
  t.equal(mountedConfigId(spec, 'policy'), 'policy-id')
  t.notMatch(JSON.stringify(spec), /SWARMGATE_DOCKER_HUB_(URL|GRACE)=undefined/)
  const plain = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], configs: [] })
  t.notOk(plain.TaskTemplate.ContainerSpec.Env?.some((e) => e.startsWith('SWARMGATE_DOCKER_HUB')), 'server-proxy\'s own defaults when none were given')
})

t.test('regression: slow health checks on a loaded manager do not get server-proxy replaced', async (t) => {
  // In the lab's rolling upgrade (test/lab/rolling-upgrade.test.ts) the check's node process took
  // up to 5 s on loaded managers: with a 5 s timeout, three in a row had every proxy replaced at once.
  const check = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], configs: [] }).TaskTemplate.ContainerSpec.Healthcheck
  const { Interval = 0, Timeout = 0, Retries = 0, StartPeriod = 0 } = check ?? {}
  t.ok(Timeout >= 20e9, `a check may take 20 s (timeout ${Timeout / 1e9} s)`)
  t.ok((Interval + Timeout) * Retries >= 60e9, 'only a proxy that has not answered for a minute is replaced')
  t.ok(StartPeriod >= 30e9, 'a task starting on a loaded manager has 30 s before failed checks count')
  t.ok(Interval <= 5e9, 'a new task is still seen healthy within 5 s of answering, for registration and rolling updates')
})
