/**
 * What deciding a call costs server-proxy, in process (issue 10): a decision on the route alone
 * (what a `docker ps` costs an operator), and one on a 10 KB container-create body (read as the
 * engine reads it, then every host-escape rule). Reported beside the chain's per-call time, so
 * the policy's share of the chain's calls/s is a figure of the same run.
 */
import { Policy, decodeBody, routeCall, type Body } from '@swarmgate/core'

export interface PolicyFigure {
  readonly pathOnlyMicroseconds: number
  readonly createBodyMicroseconds: number
  readonly createBodyBytes: number
  readonly iterations: number
}

/** A `docker run` body of about 10 KB: what the CLI sends, with enough environment to weigh 10 KB. */
function createBody (): Buffer {
  const env = Array.from({ length: 160 }, (_, i) => `SETTING_${i}=value-of-setting-number-${i}-padding-padding`)
  return Buffer.from(JSON.stringify({
    Hostname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false,
    Env: env, Cmd: ['sh', '-c', 'echo hello'], Image: 'busybox', Volumes: {}, WorkingDir: '', Entrypoint: null, Labels: { app: 'bench' },
    HostConfig: {
      Binds: ['data:/data'], NetworkMode: 'default', PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: true, CapAdd: null, CapDrop: ['NET_RAW'],
      Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, Privileged: false, SecurityOpt: ['no-new-privileges'],
      LogConfig: { Type: '', Config: {} }, Mounts: [{ Type: 'volume', Source: 'cache', Target: '/cache' }]
    },
    NetworkingConfig: { EndpointsConfig: {} }
  }))
}

/** Times `iterations` decisions of each kind, as an operator (the owner's calls are decided on the route alone too). */
export function measurePolicy (iterations: number): PolicyFigure {
  const policy = new Policy()
  const role = policy.role('operator')
  const body = createBody()
  const headers = { 'content-type': 'application/json' }
  const pathOnly = (): boolean => {
    const call = routeCall('GET', '/v1.41/containers/json?all=1', {})
    return policy.decide(role, 'operator', call, { kind: 'none' }, {}).allow
  }
  const withBody = (): boolean => {
    const call = routeCall('POST', '/v1.41/containers/create?name=bench', headers)
    const decoded: Body = policy.needs(role, call).body ? decodeBody(body, headers['content-type'], undefined) : { kind: 'none' }
    return policy.decide(role, 'operator', call, decoded, {}).allow
  }
  // Both must be allowed, or the figures time a refusal.
  for (let i = 0; i < 500; i++) if (!pathOnly() || !withBody()) throw new Error('the benchmark calls were refused by the policy')
  let started = performance.now()
  for (let i = 0; i < iterations; i++) pathOnly()
  const pathOnlyMicroseconds = (performance.now() - started) * 1000 / iterations
  started = performance.now()
  for (let i = 0; i < iterations; i++) withBody()
  const createBodyMicroseconds = (performance.now() - started) * 1000 / iterations
  return { pathOnlyMicroseconds, createBodyMicroseconds, createBodyBytes: body.length, iterations }
}
