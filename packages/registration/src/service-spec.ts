/**
 * The server-proxy service: global on the managers, the engine socket bind-mounted, the identity
 * secrets under the targets server-proxy reads (docs/protocol.md), the port published in host
 * mode. Host mode, not the ingress routing mesh: each endpoint a client dials is the manager it
 * reaches, so client-proxy's failover between endpoints is real failover, and nothing depends on
 * the overlay ingress network. The policy document and the Docker Hub CA, when the swarm has them,
 * are configs mounted at their targets (names.ts CONFIG_KINDS), and a variable tells server-proxy
 * to read each. The Docker Hub URL and grace are variables too, set only when registration was
 * given them (server-proxy's defaults otherwise), and read back from there by later commands.
 */
import type { Labels, ServiceSpec, TaskSpec } from '@swarmgate/core'
import { AGENT_SECRET_KINDS, CONFIG_KINDS, CONTAINER_PORT, LABELS, METRICS_PORT, NETWORK_NAME, SECRET_KINDS, SERVICE_NAME, type ConfigKind } from './names.js'
import type { IdentitySecret } from './secrets.js'
import type { SwarmConfig } from './swarm-configs.js'

const SECOND = 1e9
/** Seconds the swarm watches a new task for failure, unless registration was given --update-monitor. */
const DEFAULT_UPDATE_MONITOR = 15

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
  /** Docker Hub or a compatible service; server-proxy's default (Docker Hub) when undefined. */
  readonly dockerHubUrl: string | undefined
  /** Seconds a team login refreshes while Docker Hub cannot answer; server-proxy's default when undefined. */
  readonly dockerHubGrace: number | undefined
  /** Seconds the swarm watches updated tasks before an update is done; DEFAULT_UPDATE_MONITOR when undefined. */
  readonly updateMonitor?: number
}

export interface ServerProxyOptions extends ServerProxySettings {
  /** What the tasks run: `image` pinned to its digest or ID (image-pin.ts). */
  readonly imageRef: string
  /** The secrets to mount, one per kind that has a target. */
  readonly secrets: readonly IdentitySecret[]
  /** The configs to mount, at most one per kind (the policy document, the Docker Hub CA). */
  readonly configs: readonly SwarmConfig[]
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

/** The ID of the config of `kind` a service mounts, if any. */
export function mountedConfigId (spec: ServiceSpec, kind: ConfigKind): string | undefined {
  return mountedConfigs(spec.TaskTemplate).find((c) => c.File.Name === CONFIG_KINDS[kind].target)?.ConfigID
}

/** The value of the variable `name` in the service's environment. */
function envValue (spec: ServiceSpec, name: string): string | undefined {
  const entry = spec.TaskTemplate.ContainerSpec.Env?.find((e) => e.startsWith(`${name}=`))
  return entry?.slice(name.length + 1)
}

/** Seconds from a value this file wrote as `<n>s`. */
function seconds (value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number.parseInt(value, 10)
}

/** The --update-monitor a service was made with; undefined for the default, so a service follows a new default. */
function updateMonitor (spec: ServiceSpec): number | undefined {
  const monitor = spec.UpdateConfig?.Monitor
  return monitor === undefined || monitor === DEFAULT_UPDATE_MONITOR * SECOND ? undefined : monitor / SECOND
}

/** The settings of a deployed service; undefined when it was not made by registration. */
export function readServerProxySettings (spec: ServiceSpec): ServerProxySettings | undefined {
  const labels = spec.Labels ?? {}
  const swarmName = labels[LABELS.swarm]
  const fingerprint = labels[LABELS.fingerprint]
  const port = spec.EndpointSpec?.Ports?.find((p) => p.TargetPort === CONTAINER_PORT)?.PublishedPort
  if (swarmName === undefined || fingerprint === undefined || port === undefined) return undefined
  return {
    swarmName,
    image: labels[LABELS.image] ?? spec.TaskTemplate.ContainerSpec.Image,
    port,
    endpoints: (labels[LABELS.endpoints] ?? '').split(',').filter((e) => e !== ''),
    endpointsGiven: labels[LABELS.endpointsGiven] === 'true',
    fingerprint,
    tokenTtl: seconds(envValue(spec, 'SWARMGATE_TOKEN_TTL')),
    dockerHubUrl: envValue(spec, 'SWARMGATE_DOCKER_HUB_URL'),
    dockerHubGrace: seconds(envValue(spec, 'SWARMGATE_DOCKER_HUB_GRACE')),
    updateMonitor: updateMonitor(spec)
  }
}

/** How a task mounts `secret`: at its kind's target, readable by root only (server-proxy and the agents run as root to open the engine socket). */
export function secretMount (secret: IdentitySecret): NonNullable<TaskSpec['ContainerSpec']['Secrets']>[number] {
  const target = SECRET_KINDS[secret.kind].target
  if (target === undefined) throw new TypeError(`the ${secret.kind} secret is mounted in no service`)
  return { File: { Name: target, UID: '0', GID: '0', Mode: 0o400 }, SecretID: secret.id, SecretName: secret.name }
}

/** The full spec of the service, for create and for every update. */
export function serverProxySpec (opts: ServerProxyOptions): ServerProxySpec {
  const labels = { ...opts.labels, [LABELS.component]: 'server-proxy', [LABELS.swarm]: opts.swarmName }
  // Metrics on every address of the task: the overlay network (status, an operator's scraper on it) and the node's own bridge, never a published port.
  const env = [`SWARMGATE_SWARM_NAME=${opts.swarmName}`, `SWARMGATE_PORT=${CONTAINER_PORT}`, `SWARMGATE_METRICS_ADDRESS=0.0.0.0:${METRICS_PORT}`]
  if (opts.tokenTtl !== undefined) env.push(`SWARMGATE_TOKEN_TTL=${opts.tokenTtl}s`)
  if (opts.dockerHubUrl !== undefined) env.push(`SWARMGATE_DOCKER_HUB_URL=${opts.dockerHubUrl}`)
  if (opts.dockerHubGrace !== undefined) env.push(`SWARMGATE_DOCKER_HUB_GRACE=${opts.dockerHubGrace}s`)
  for (const c of opts.configs) env.push(`${CONFIG_KINDS[c.kind].env}=${CONFIG_KINDS[c.kind].target}`)
  // Not the CA key (no target), nor the agents' own certificate and key.
  const secrets = opts.secrets.filter((s) => SECRET_KINDS[s.kind].target !== undefined && !AGENT_SECRET_KINDS.has(s.kind)).map(secretMount)
  if (opts.secrets.some((s) => s.kind === 'agent-ca')) env.push(`SWARMGATE_NODE_AGENT_CA=/run/secrets/${SECRET_KINDS['agent-ca'].target}`)
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
        // World-readable like any config: neither document holds a secret.
        Configs: opts.configs.map((c) => ({ File: { Name: CONFIG_KINDS[c.kind].target, UID: '0', GID: '0', Mode: 0o444 }, ConfigID: c.id, ConfigName: c.name })),
        // The image's HEALTHCHECK, checked more often so registration sees a new task sooner. The
        // check starts a node process, which takes seconds on a loaded manager: with a 5 s timeout
        // three slow checks in a row got healthy proxies replaced, on every loaded manager at once
        // (all endpoints down in the lab's rolling upgrade, docs/failover.md). Only a proxy that
        // does not answer for a minute is replaced; clients fail over long before that anyway.
        Healthcheck: {
          Test: ['CMD', 'node', '/app/packages/server-proxy/dist/main.js', 'healthcheck'],
          Interval: 5 * SECOND,
          Timeout: 20 * SECOND,
          Retries: 3,
          StartPeriod: 30 * SECOND
        },
        // On SIGTERM server-proxy drains (docs/protocol.md, "Draining"): calls in flight, streams
        // and hijacked sessions go on for up to its --drain-timeout (20 s) before they are cut;
        // the rest leaves a loaded manager time to exit before the swarm's SIGKILL.
        StopGracePeriod: 30 * SECOND
      },
      RestartPolicy: { Condition: 'any', Delay: 5 * SECOND, MaxAttempts: 0 },
      Placement: { Constraints: ['node.role==manager'] },
      Networks: [{ Target: NETWORK_NAME }]
    },
    Mode: { Global: {} },
    // stop-first: the old task holds the host port until it stops. Rolling back keeps a working
    // proxy when a new image does not start.
    UpdateConfig: { Parallelism: 1, Order: 'stop-first', FailureAction: 'rollback', Monitor: (opts.updateMonitor ?? DEFAULT_UPDATE_MONITOR) * SECOND },
    EndpointSpec: { Ports: [{ Protocol: 'tcp', TargetPort: CONTAINER_PORT, PublishedPort: opts.port, PublishMode: 'host' }] }
  }
}
