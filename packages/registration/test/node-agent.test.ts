import t from 'tap'
import { nodeAgentSpec } from '../src/node-agent.js'
import { readServerProxySettings, serverProxySpec, type ServerProxySettings } from '../src/service-spec.js'
import type { IdentitySecret } from '../src/secrets.js'
import type { SwarmConfig } from '../src/swarm-configs.js'

function secret (kind: IdentitySecret['kind']): IdentitySecret {
  return { id: `id-${kind}`, name: `swarmgate-${kind}-v1`, kind, version: 1, labels: {} }
}

const pinned = `sha256:${'b'.repeat(64)}`
const secrets = [secret('signing-keys'), secret('verify-keys'), secret('accounts'), secret('tls-cert'), secret('tls-key'), secret('ca-key'), secret('agent-ca'), secret('agent-cert'), secret('agent-key')]
const policy: SwarmConfig = { id: 'id-policy', name: 'swarmgate-policy-v2', kind: 'policy', version: 2 }
const serverProxy = serverProxySpec({
  swarmName: 'alice/prod',
  image: 'swarmgate/server-proxy:1.0.0',
  imageRef: pinned,
  port: 12376,
  endpoints: ['203.0.113.10:12376'],
  endpointsGiven: false,
  fingerprint: `sha256:${'a'.repeat(64)}`,
  tokenTtl: 30,
  dockerHubUrl: 'https://hub.example',
  dockerHubGrace: 60,
  labels: { 'io.swarmgate.test': 'true' },
  secrets,
  configs: [policy]
})

t.test('the agent: server-proxy\'s image, public keys and policy on every node, its own TLS identity, no port, no accounts or signing key', async (t) => {
  const spec = nodeAgentSpec(serverProxy, secrets)
  t.equal(spec.Name, 'swarmgate-node-agent')
  t.same(spec.Mode, { Global: {} })
  t.equal(spec.TaskTemplate.Placement, undefined, 'every node, workers included')
  t.equal(spec.EndpointSpec, undefined, 'no published port')
  t.same(spec.TaskTemplate.Networks, [{ Target: 'swarmgate-server-proxy-network' }])
  const c = spec.TaskTemplate.ContainerSpec
  t.equal(c.Image, pinned, 'the very image server-proxy runs')
  t.same(c.Secrets?.map((s) => [s.File.Name, s.SecretName]), [['swarmgate-verify-keys', 'swarmgate-verify-keys-v1'], ['swarmgate-agent-cert', 'swarmgate-agent-cert-v1'], ['swarmgate-agent-key', 'swarmgate-agent-key-v1']],
    'no signing key, no account store (no password hash on a worker), no key of the CA clients pin, no server-proxy TLS key')
  t.same(c.Configs?.map((s) => s.ConfigName), ['swarmgate-policy-v2'], 'the policy in force on the managers')
  t.same(c.Env, ['SWARMGATE_SWARM_NAME=alice/prod', 'SWARMGATE_METRICS_ADDRESS=0.0.0.0:9323', 'SWARMGATE_POLICY=/run/swarmgate/policy.yaml', 'SWARMGATE_NODE_AGENT=true', 'SWARMGATE_PORT=2378', 'SWARMGATE_SIGNING_KEYS=/run/secrets/swarmgate-verify-keys',
    'SWARMGATE_TLS_CERT=/run/secrets/swarmgate-agent-cert', 'SWARMGATE_TLS_KEY=/run/secrets/swarmgate-agent-key', 'SWARMGATE_NODE_ID={{.Node.ID}}'], 'each task told its own node by the swarm')
  t.same(c.Mounts, [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }])
  t.match(c.Labels, { 'io.swarmgate.test': 'true', 'io.swarmgate.component': 'node-agent' }, 'its containers are swarmgate\'s own (rule swarmgate-object)')
  t.match(spec.Labels, { 'io.swarmgate.component': 'node-agent', 'io.swarmgate.swarm': 'alice/prod' })
  t.same(c.Healthcheck?.Test.slice(-1), ['healthcheck'])
  t.match(spec.UpdateConfig, { Parallelism: 0, Order: 'stop-first', FailureAction: 'rollback' }, 'every node at once: an update takes as long on a hundred nodes as on four')
  t.equal(spec.UpdateConfig?.Monitor, 5e9, 'watched 5 s, less than server-proxy\'s default 15 s')
  const quick = serverProxySpec({ ...readServerProxySettings(serverProxy) as ServerProxySettings, updateMonitor: 1, imageRef: pinned, labels: {}, secrets, configs: [] })
  t.equal(nodeAgentSpec(quick, secrets).UpdateConfig?.Monitor, 1e9, 'and no longer than server-proxy\'s when --update-monitor is shorter')
})

t.test('server-proxy pins the agents\' CA and never mounts their certificate or key', async (t) => {
  const c = serverProxy.TaskTemplate.ContainerSpec
  const mounted = c.Secrets?.map((s) => s.File.Name) ?? []
  t.ok(mounted.includes('swarmgate-agent-ca'))
  t.notOk(mounted.includes('swarmgate-agent-cert') || mounted.includes('swarmgate-agent-key'))
  t.ok(c.Env?.includes('SWARMGATE_NODE_AGENT_CA=/run/secrets/swarmgate-agent-ca'))
})
