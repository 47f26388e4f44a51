/**
 * Where the proxy runs when the user did not say (--network) and no earlier run chose: on the
 * host network where that is the machine the docker CLI runs on, else on a bridge network of its
 * own, published on 127.0.0.1.
 *
 * The published port costs about half the calls/s (docs/performance.md, issue 14): every byte
 * crosses docker-proxy, the engine's userland proxy, and one more TCP hop. On the host network
 * the proxy listens on the host's 127.0.0.1 itself, which is no wider than the published port
 * (bound to 127.0.0.1 too) and avoids its DNAT. That holds only for an engine whose host network
 * is the machine's own: not Docker Desktop (its host network is its VM's), not a rootless engine
 * (RootlessKit's namespace), not one with user namespaces remapped (no host network without
 * --userns=host).
 */
import type { SystemInfo } from '@swarmgate/core'

export interface NetworkChoice {
  readonly hostNetwork: boolean
  /** Why, for --verbose and the docs. */
  readonly reason: string
}

/** The default network of the proxy on the engine `info` describes. */
export function defaultNetwork (info: Pick<SystemInfo, 'OSType' | 'OperatingSystem' | 'KernelVersion' | 'SecurityOptions'>): NetworkChoice {
  if (info.OSType !== 'linux') return { hostNetwork: false, reason: `the engine runs on ${info.OSType ?? 'an unknown system'}` }
  if (/docker desktop/i.test(info.OperatingSystem ?? '') || /linuxkit/i.test(info.KernelVersion ?? '')) return { hostNetwork: false, reason: 'Docker Desktop: its host network is its virtual machine\'s' }
  const options = info.SecurityOptions ?? []
  if (options.some((o) => o.split(',').includes('name=rootless'))) return { hostNetwork: false, reason: 'a rootless engine: its host network is RootlessKit\'s' }
  if (options.some((o) => o.split(',').includes('name=userns'))) return { hostNetwork: false, reason: 'user namespaces are remapped: no host network without --userns=host' }
  return { hostNetwork: true, reason: 'a Linux engine on this machine: the host network, listening on 127.0.0.1 only' }
}
