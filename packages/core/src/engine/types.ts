/**
 * The parts of the Docker Engine API's objects (API 1.41) that swarmgate reads or writes. The
 * engine sends more; these types name only what the programs use.
 */

export type Labels = Readonly<Record<string, string>>

export interface SystemInfo {
  readonly ID: string
  readonly Name: string
  readonly ServerVersion: string
  /** `linux` or `windows`. */
  readonly OSType?: string
  /** The engine's host: `Docker Desktop` when it runs in Docker Desktop's VM. */
  readonly OperatingSystem?: string
  readonly KernelVersion?: string
  /** `name=seccomp,profile=default`, `name=rootless`, `name=userns`, ... */
  readonly SecurityOptions?: readonly string[] | null
  readonly Swarm: {
    readonly NodeID: string
    readonly NodeAddr: string
    readonly LocalNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked' | ''
    readonly ControlAvailable: boolean
    readonly Error: string
  }
}

export interface Swarm {
  readonly ID: string
}

export interface SwarmNode {
  readonly ID: string
  readonly Description: { readonly Hostname: string }
  readonly Spec: { readonly Role: 'manager' | 'worker', readonly Availability: 'active' | 'pause' | 'drain' }
  readonly Status: { readonly State: 'unknown' | 'down' | 'ready' | 'disconnected', readonly Addr: string }
  readonly ManagerStatus?: { readonly Addr: string, readonly Leader?: boolean, readonly Reachability: string }
}

export interface Secret {
  readonly ID: string
  readonly CreatedAt: string
  readonly Spec: { readonly Name: string, readonly Labels?: Labels }
}

export interface Network {
  readonly Id: string
  readonly Name: string
  readonly Driver: string
  readonly Labels?: Labels
  readonly IPAM?: { readonly Config?: ReadonlyArray<{ readonly Subnet?: string, readonly Gateway?: string }> }
  readonly Containers?: Readonly<Record<string, unknown>>
}

export interface SecretReference {
  readonly File: { readonly Name: string, readonly UID: string, readonly GID: string, readonly Mode: number }
  readonly SecretID: string
  readonly SecretName: string
}

export interface HealthConfig {
  readonly Test: readonly string[]
  /** Nanoseconds, as the engine wants them. */
  readonly Interval?: number
  readonly Timeout?: number
  readonly Retries?: number
  readonly StartPeriod?: number
}

export interface Mount {
  readonly Type: 'bind' | 'volume' | 'tmpfs'
  readonly Source?: string
  readonly Target: string
  readonly ReadOnly?: boolean
}

export interface TaskSpec {
  readonly ContainerSpec: {
    readonly Image: string
    readonly Labels?: Labels
    readonly Command?: readonly string[]
    readonly Args?: readonly string[]
    readonly Env?: readonly string[]
    readonly Mounts?: readonly Mount[]
    readonly Secrets?: readonly SecretReference[]
    readonly Healthcheck?: HealthConfig
    readonly StopGracePeriod?: number
  }
  readonly RestartPolicy?: { readonly Condition: 'none' | 'on-failure' | 'any', readonly Delay?: number, readonly MaxAttempts?: number, readonly Window?: number }
  readonly Placement?: { readonly Constraints?: readonly string[] }
  readonly Networks?: ReadonlyArray<{ readonly Target: string }>
  readonly ForceUpdate?: number
}

export interface ServiceSpec {
  readonly Name: string
  readonly Labels?: Labels
  readonly TaskTemplate: TaskSpec
  readonly Mode: { readonly Global: Record<string, never> } | { readonly Replicated: { readonly Replicas: number } }
  readonly UpdateConfig?: { readonly Parallelism: number, readonly Order?: 'stop-first' | 'start-first', readonly FailureAction?: 'pause' | 'continue' | 'rollback', readonly Monitor?: number, readonly Delay?: number }
  readonly EndpointSpec?: { readonly Ports?: ReadonlyArray<{ readonly Protocol: 'tcp' | 'udp', readonly TargetPort: number, readonly PublishedPort: number, readonly PublishMode: 'host' | 'ingress' }> }
}

export interface Service {
  readonly ID: string
  readonly Version: { readonly Index: number }
  readonly Spec: ServiceSpec
  readonly UpdateStatus?: { readonly State: 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed', readonly Message?: string }
}

export type TaskState = 'new' | 'allocated' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running' | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned'

export interface Task {
  readonly ID: string
  readonly NodeID?: string
  readonly ServiceID: string
  readonly CreatedAt: string
  readonly DesiredState: TaskState
  readonly Version: { readonly Index: number }
  readonly Spec: TaskSpec
  readonly Status: {
    readonly State: TaskState
    readonly Message?: string
    readonly Err?: string
    readonly Timestamp: string
    readonly ContainerStatus?: { readonly ContainerID?: string, readonly ExitCode?: number }
  }
}

export interface PortBinding { readonly HostIp: string, readonly HostPort: string }

export interface ContainerCreate {
  readonly Image: string
  readonly Labels?: Labels
  readonly Cmd?: readonly string[]
  readonly Entrypoint?: readonly string[]
  readonly Env?: readonly string[]
  readonly User?: string
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>
  readonly Healthcheck?: HealthConfig
  readonly HostConfig?: {
    readonly Mounts?: readonly Mount[]
    readonly NetworkMode?: string
    readonly PortBindings?: Readonly<Record<string, readonly PortBinding[]>>
    readonly RestartPolicy?: { readonly Name: 'no' | 'always' | 'unless-stopped' | 'on-failure' }
    readonly ReadonlyRootfs?: boolean
    readonly CapDrop?: readonly string[]
    readonly SecurityOpt?: readonly string[]
  }
}

export interface Container {
  readonly Id: string
  readonly Name: string
  readonly Image: string
  readonly State: {
    readonly Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'
    readonly Running: boolean
    readonly ExitCode: number
    readonly Error: string
    readonly Health?: { readonly Status: 'starting' | 'healthy' | 'unhealthy', readonly Log?: ReadonlyArray<{ readonly ExitCode: number, readonly Output: string }> }
  }
  readonly Config: { readonly Labels?: Labels, readonly Env?: readonly string[], readonly Image: string }
  readonly HostConfig: { readonly NetworkMode: string }
  readonly NetworkSettings: { readonly Ports?: Readonly<Record<string, readonly PortBinding[] | null>> }
}

export interface ContainerSummary {
  readonly Id: string
  readonly Names: readonly string[]
  readonly State: string
  readonly Status: string
  readonly Labels?: Labels
}

export interface Volume {
  readonly Name: string
  readonly Labels?: Labels | null
}

export interface Image {
  readonly Id: string
  readonly RepoTags?: readonly string[]
  /** `name@sha256:...` for each registry the image was pulled from or pushed to. */
  readonly RepoDigests?: readonly string[]
}

/** Filters as the engine takes them: `{ label: ['k=v'], name: ['x'] }`. */
export type Filters = Readonly<Record<string, readonly string[]>>
