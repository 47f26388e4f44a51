/**
 * The DOCKER_HOST a user's shell should export. The proxy listens on 127.0.0.1 of the machine whose
 * engine runs it; that is the user's machine unless the docker CLI's DOCKER_HOST (passed in with
 * -e DOCKER_HOST) points to another one, in which case the port must be forwarded first.
 */

export interface ShellAddress {
  /** `tcp://127.0.0.1:<port>`, as a DOCKER_HOST or a docker context's host. */
  readonly host: string
  readonly exportLine: string
  /** Set when the address works only after a step the user must take, saying which. */
  readonly note?: string
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]'])

/** What to export for a proxy on `port`, given the CLI's DOCKER_HOST. */
export function shellAddress (dockerHost: string | undefined, port: number): ShellAddress {
  const address = `tcp://127.0.0.1:${port}`
  const exportLine = `export DOCKER_HOST=${address}`
  if (dockerHost === undefined || dockerHost === '' || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://') || dockerHost.startsWith('fd://')) return { host: address, exportLine }
  const m = /^(tcp|ssh):\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)/.exec(dockerHost)
  if (m === null) return { host: address, exportLine, note: `DOCKER_HOST is ${dockerHost}; the proxy listens on 127.0.0.1:${port} of the machine that engine runs on, so the line above works only there.` }
  const [, scheme, user, host] = m as unknown as [string, string, string | undefined, string]
  if (LOCAL_HOSTS.has(host)) return { host: address, exportLine }
  const target = scheme === 'ssh' ? `${user === undefined ? '' : `${user}@`}${host}` : host
  return {
    host: address,
    exportLine,
    note: `The proxy runs on ${host}, the engine DOCKER_HOST points to, and listens only on that machine's 127.0.0.1 (it gives access to the swarm with your login, so it is never published beyond loopback). ` +
      `Forward the port to this machine first, for example: ssh -fNL ${port}:127.0.0.1:${port} ${target}`
  }
}
