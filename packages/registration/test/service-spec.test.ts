import t from 'tap'
import { mountedPolicyId, readServerProxySettings, serverProxySpec, type ServerProxySettings } from '../src/service-spec.js'
import type { IdentitySecret } from '../src/secrets.js'

const settings: ServerProxySettings = {
  swarmName: 'alice/prod',
  image: 'swarmgate/server-proxy:1.0.0',
  port: 12376,
  endpoints: ['203.0.113.10:12376', 'swarm.example:12376'],
  endpointsGiven: true,
  fingerprint: `sha256:${'a'.repeat(64)}`,
  tokenTtl: 30
}

function secret (kind: IdentitySecret['kind'], version: number): IdentitySecret {
  return { id: `id-${kind}`, name: `swarmgate-${kind}-v${version}`, kind, version, labels: {} }
}

t.test('the service is global on managers, socket mounted, secrets under their targets, port in host mode', async (t) => {
  const pinned = `sha256:${'b'.repeat(64)}`
  const spec = serverProxySpec({ ...settings, imageRef: pinned, labels: { 'io.swarmgate.test': 'true' }, secrets: [secret('signing-keys', 1), secret('accounts', 3), secret('ca-key', 1), secret('tls-cert', 2), secret('tls-key', 2)], policy: undefined })
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
  t.same(c.Env, ['SWARMGATE_SWARM_NAME=alice/prod', 'SWARMGATE_PORT=2376', 'SWARMGATE_TOKEN_TTL=30s'], 'no SWARMGATE_POLICY without a policy document')
  t.same(c.Configs, [])
  t.equal(mountedPolicyId(spec), undefined)
  t.match(c.Labels, { 'io.swarmgate.test': 'true', 'io.swarmgate.component': 'server-proxy' })
  t.same(c.Healthcheck?.Test.slice(-1), ['healthcheck'])
  t.same(spec.EndpointSpec?.Ports, [{ Protocol: 'tcp', TargetPort: 2376, PublishedPort: 12376, PublishMode: 'host' }])
  t.equal(spec.TaskTemplate.RestartPolicy?.Condition, 'any')
})

t.test('the settings read back from a service are the ones it was made with', async (t) => {
  const spec = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], policy: undefined })
  t.same(readServerProxySettings(spec), settings)
  t.same(readServerProxySettings(serverProxySpec({ ...settings, imageRef: settings.image, tokenTtl: undefined, endpointsGiven: false, labels: {}, secrets: [], policy: undefined })), { ...settings, tokenTtl: undefined, endpointsGiven: false })
  t.equal(readServerProxySettings({ ...spec, Labels: {} }), undefined, 'a service registration did not make')
})

t.test('a policy document is mounted as a config at /run/swarmgate/policy.yaml, and SWARMGATE_POLICY names it', async (t) => {
  const spec = serverProxySpec({ ...settings, imageRef: settings.image, labels: {}, secrets: [], policy: { id: 'cfg-id', name: 'swarmgate-policy-v2', version: 2 } })
  const c = spec.TaskTemplate.ContainerSpec
  t.same(c.Configs, [{ File: { Name: '/run/swarmgate/policy.yaml', UID: '0', GID: '0', Mode: 0o444 }, ConfigID: 'cfg-id', ConfigName: 'swarmgate-policy-v2' }])
  t.same(c.Env?.at(-1), 'SWARMGATE_POLICY=/run/swarmgate/policy.yaml')
  t.equal(mountedPolicyId(spec), 'cfg-id')
  t.same(readServerProxySettings(spec), settings, 'the policy is not a setting: commands keep the one in force')
})
