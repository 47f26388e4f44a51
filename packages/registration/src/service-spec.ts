/**
 * The server-proxy service: global on the managers, the engine socket bind-mounted, the identity
 * secrets under the targets server-proxy reads (docs/protocol.md), the port published in host
 * mode. Host mode, not the ingress routing mesh: each endpoint a client dials is the manager it
 * reaches, so client-proxy's failover between endpoints is real failover, and nothing depends on
 * the overlay ingress network. The policy document, when the swarm has one, is a config mounted at
 * POLICY.target, and SWARMGATE_POLICY tells server-proxy to read it.
 */
import type { Labels, ServiceSpec, TaskSpec } from '@swarmgate/core'
import { CONTAINER_PORT, LABELS, NETWORK_NAME, POLICY, SECRET_KINDS, SERVICE_NAME } from './names.js'
import type { PolicyConfig } from './policy-configs.js'
import type { IdentitySecret } from './secrets.js'

const SECOND = 1e9

/** What a registration chose for server-proxy; kept on the service so later commands keep it too. */
export interface ServerProxySettings {
  readonly swarmName: string
  readonly image: string
  readonly port: number
  readonly endpoints: readonly string[]
  /** True when the endpoints came from --endpoint. */
  readonly endpointsGiven: boolean
  readonly fingerprint: string
  /** Access token lifetime in seconds; server-proxy's default when undefined. */
  readonly tokenTtl: number | undefined
}

export interface ServerProxyOptions extends ServerProxySettings {
  /** What the tasks run: `image` pinned to its digest or ID (image-pin.ts). */
  readonly imageRef: string
  /** The secrets to mount, one per kind that has a target. */
  readonly secrets: readonly IdentitySecret[]
  /** The policy document to mount; none: the built-in roles apply. */
  readonly policy: PolicyConfig | undefined
  readonly labels: Labels
}

/** A config mounted in a task, as the engine's API has it (core's TaskSpec has no configs yet). */
interface ConfigReference {
  readonly File: { readonly Name: string, readonly UID: string, readonly GID: string, readonly Mode: number }
  readonly ConfigID: string
  readonly ConfigName: string
}

type ContainerSpecWithConfigs = TaskSpec['ContainerSpec'] & { readonly Configs?: readonly ConfigReference[] }

/** The service spec with the configs its task mounts. */
export type ServerProxySpec = ServiceSpec & { readonly TaskTemplate: TaskSpec & { readonly ContainerSpec: ContainerSpecWithConfigs } }

/** The configs a task spec mounts. */
export function mountedConfigs (task: TaskSpec): readonly ConfigReference[] {
  return (task.ContainerSpec as ContainerSpecWithConfigs).Configs ?? []
}

/** The ID of the policy config a service mounts, if any. */
export function mountedPolicyId (spec: ServiceSpec): string | undefined {
  return mountedConfigs(spec.TaskTemplate).find((c) => c.File.Name === POLICY.target)?.ConfigID
}

/** The settings of a deployed service; undefined when it was not made by registration. */
export function readServerProxySettings (spec: ServiceSpec): ServerProxySettings | undefined {
  const labels = spec.Labels ?? {}
  const swarmName = labels[LABELS.swarm]
  const fingerprint = labels[LABELS.fingerprint]
  const port = spec.EndpointSpec?.Ports?.find((p) => p.TargetPort === CONTAINER_PORT)?.PublishedPort
  if (swarmName === undefined || fingerprint === undefined || port === undefined) return undefined
  const ttl = spec.TaskTemplate.ContainerSpec.Env?.find((e) => e.startsWith('SWARMGATE_TOKEN_TTL='))
  return {
    swarmName,
    image: labels[LABELS.image] ?? spec.TaskTemplate.ContainerSpec.Image,
    port,
    endpoints: (labels[LABELS.endpoints] ?? '').split(',').filter((e) => e !== ''),
    endpointsGiven: labels[LABELS.endpointsGiven] === 'true',
    fingerprint,
    tokenTtl: ttl === undefined ? undefined : Number.parseInt(ttl.slice(ttl.indexOf('=') + 1), 10)
  }
}

/** The full spec of the service, for create and for every update. */
export function serverProxySpec (opts: ServerProxyOptions): ServerProxySpec {
  const labels = { ...opts.labels, [LABELS.component]: 'server-proxy', [LABELS.swarm]: opts.swarmName }
  const env = [`SWARMGATE_SWARM_NAME=${opts.swarmName}`, `SWARMGATE_PORT=${CONTAINER_PORT}`]
  if (opts.tokenTtl !== undefined) env.push(`SWARMGATE_TOKEN_TTL=${opts.tokenTtl}s`)
  if (opts.policy !== undefined) env.push(`${POLICY.env}=${POLICY.target}`)
  const secrets = opts.secrets.flatMap((s) => {
    const target = SECRET_KINDS[s.kind].target
    // Readable by root only: server-proxy runs as root to open the engine socket.
    return target === undefined ? [] : [{ File: { Name: target, UID: '0', GID: '0', Mode: 0o400 }, SecretID: s.id, SecretName: s.name }]
  })
  return {
    Name: SERVICE_NAME,
    Labels: { ...labels, [LABELS.fingerprint]: opts.fingerprint, [LABELS.endpoints]: opts.endpoints.join(','), [LABELS.endpointsGiven]: String(opts.endpointsGiven), [LABELS.image]: opts.image },
    TaskTemplate: {
      ContainerSpec: {
        Image: opts.imageRef,
        Labels: labels,
        Env: env,
        Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/var/run/docker.sock' }],
        Secrets: secrets,
        // World-readable like any config: the document holds no secret.
        Configs: opts.policy === undefined ? [] : [{ File: { Name: POLICY.target, UID: '0', GID: '0', Mode: 0o444 }, ConfigID: opts.policy.id, ConfigName: opts.policy.name }],
        // The image's HEALTHCHECK, checked more often at first so registration sees it sooner.
        Healthcheck: {
          Test: ['CMD', 'node', '/app/packages/server-proxy/dist/main.js', 'healthcheck'],
          Interval: 5 * SECOND,
          Timeout: 5 * SECOND,
          Retries: 3,
          StartPeriod: 5 * SECOND
        },
        StopGracePeriod: 10 * SECOND
      },
      RestartPolicy: { Condition: 'any', Delay: 5 * SECOND, MaxAttempts: 0 },
      Placement: { Constraints: ['node.role==manager'] },
      Networks: [{ Target: NETWORK_NAME }]
    },
    Mode: { Global: {} },
    // stop-first: the old task holds the host port until it stops. Rolling back keeps a working
    // proxy when a new image does not start.
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: 15 * SECOND },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: CONTAINER_PORT, PublishedPort: opts.port, PublishMode: 'host' }] }
  }
}
