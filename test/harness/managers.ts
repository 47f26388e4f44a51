/**
 * A swarm's managers as processes on 127.0.0.1, for the failover tests: server-proxies sharing one
 * swarm identity in front of the shared engine, each behind a test-owned TCP relay that is its
 * network path (tcp-relay.ts), and advertising the relays as the swarm's endpoints, so a
 * client-proxy given the relays learns the same list from them.
 */
import type { TestIdentity } from '../fixtures/identity.js'
import { startProxyProcess, type ProxyProcess } from './proxy-process.js'
import { startTcpRelay, type TcpRelay } from './tcp-relay.js'

export interface Managers {
  /** Each manager's network path, in order: its endpoint is the one a client-proxy is given. */
  readonly paths: readonly TcpRelay[]
  /** Each manager's server-proxy, in the same order. */
  readonly servers: readonly ProxyProcess[]
  /** Stops the server-proxies still running and closes the paths. */
  close (): Promise<void>
}

/** Starts `count` managers of `identity`'s swarm. */
export async function startManagers (identity: TestIdentity, count: number): Promise<Managers> {
  const paths: TcpRelay[] = []
  const servers: ProxyProcess[] = []
  const close = async (): Promise<void> => {
    for (const server of servers) await server.stop()
    for (const path of paths) await path.close()
  }
  try {
    for (let i = 0; i < count; i++) paths.push(await startTcpRelay())
    const advertised = paths.flatMap((p) => ['--advertise-endpoint', p.endpoint])
    for (const path of paths) {
      const server = await startProxyProcess('server-proxy', ['--host', '127.0.0.1', '--port', '0', ...identity.serverArgs, ...advertised])
      servers.push(server)
      path.target = server.port
    }
  } catch (err) {
    await close()
    throw err
  }
  return { paths, servers, close }
}
