/**
 * POST /build, read from its query as the engine's newImageBuildOptions reads it (every value of
 * a repeated parameter is checked: the engine takes the first). The body is the build context.
 * BuildKit (`version=2`) is refused: its entitlements (network host, security insecure) travel in
 * the gRPC session over POST /session, which swarmgate cannot inspect.
 */
import type { Violation } from './violation.js'

/** The query of POST /build. */
export function buildViolation (query: ReadonlyMap<string, readonly string[]>): Violation | undefined {
  const values = (key: string): readonly string[] => query.get(key) ?? []
  if (values('version').some((v) => v !== '' && v !== '1')) {
    return { rule: 'no-buildkit', what: 'build with BuildKit (its entitlements travel in a session swarmgate cannot inspect)' }
  }
  for (const mode of values('networkmode').map((v) => v.toLowerCase())) {
    if (mode === 'host') return { rule: 'no-host-namespace', what: "build with the host's network (networkmode=host)" }
    if (mode.startsWith('container:')) {
      return { rule: 'no-container-namespace', what: `build in another container's network (networkmode=${mode}: that container may be privileged or in the host's)` }
    }
  }
  if (values('cgroupparent').some((v) => v !== '')) return { rule: 'no-cgroup-parent', what: 'place build containers in a cgroup of their choice (cgroupparent)' }
  if (values('remote').some((v) => v !== '')) {
    return { rule: 'no-build-remote', what: "have the engine fetch a build context from a URL (it fetches from the host's network; the docker CLI fetches contexts itself)" }
  }
  return undefined
}
