/**
 * The deployed chain, as users run it (`npm run bench -- --deployed`, in an isolated engine only:
 * it deploys swarmgate-server-proxy, which other tests on a shared engine deploy too).
 * registration deploys server-proxy as the global service and swarmgate/client starts
 * client-proxy as its container, published on the host's 127.0.0.1 through the engine's userland
 * proxy (--network bridge: the client's default for Docker Desktop and rootless engines, and
 * before issue 14 for every engine; a Linux engine on the machine now gets the host network, the
 * first copy's setup). Two copies of that container (same image, settings and
 * saved login) are the other ways the local CLI could reach it: on the host network, and on a unix
 * socket in a directory the bench bind-mounts.
 */
import { chmod, mkdir } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { docker, dockerJson, LABEL_ARGS, waitFor } from '../../test/testbed/index.js'
import { bridgeGateway, client, exportedHost, parseClientCommand, registration, swarmgateObjects } from '../../test/e2e/journey-steps.js'
import { freePort } from './ports.js'

export interface DeployedChain {
  /** DOCKER_HOST of the client-proxy container as the client started it (published port). */
  readonly publishedHost: string
  /** The same container's copy on the host network. */
  readonly hostNetworkHost: string
  /** The copy listening on a unix socket: unix://<path>. */
  readonly socketHost: string
  /** Host pids of the server-proxy task and the (published) client-proxy container. */
  readonly serverPid: number
  readonly clientPid: number
  close (): Promise<void>
}

interface ContainerFacts {
  readonly Id: string
  readonly State: { readonly Pid: number }
  readonly Config: { readonly Image: string, readonly User: string, readonly Env: readonly string[] }
  readonly Mounts: ReadonlyArray<{ readonly Type: string, readonly Name?: string, readonly Destination: string }>
}

async function inspect (id: string): Promise<ContainerFacts> {
  return await dockerJson<ContainerFacts>(['container', 'inspect', id, '--format', '{{json .}}'])
}

async function onlyContainer (filter: string): Promise<ContainerFacts> {
  let ids: string[] = []
  await waitFor(`one running container with ${filter}`, async () => {
    ids = (await docker(['ps', '-q', '--filter', filter])).split('\n').filter((l) => l !== '')
    return ids.length === 1 ? true : undefined
  }, { timeoutMs: 60_000 })
  return await inspect(ids[0] as string)
}

/** Registers a swarm, logs in with the client and starts the two copies; `dir` holds the socket. */
export async function startDeployed (dir: string, log: (line: string) => void): Promise<DeployedChain> {
  const left = await swarmgateObjects()
  if (left.length > 0) throw new Error(`the engine already has swarmgate objects (${left.join(', ')}); run the deployed bench in an isolated engine`)
  const suffix = randomBytes(3).toString('hex')
  const swarm = `bench/deployed-${suffix}`
  const password = `bench password ${suffix}`
  const volume = `swarmgate-bench-client-${suffix}`
  const copies: string[] = []
  const close = async (): Promise<void> => {
    if (copies.length > 0) await docker(['rm', '-f', ...copies]).catch(() => '')
    await client(volume, ['rm', swarm]).catch(() => undefined)
    await registration(['deregister', '--yes']).catch(() => undefined)
    await docker(['volume', 'rm', volume]).catch(() => '')
  }
  try {
    const gateway = await bridgeGateway()
    log(`registration (server-proxy as the global service, endpoint ${gateway}:2376)`)
    const reg = await registration(['--username', 'alice', '--password-stdin', '--name', swarm, '--endpoint', `${gateway}:2376`], { input: `${password}\n` })
    if (reg.code !== 0) throw new Error(`registration failed: ${reg.stderr}`)
    const registered = parseClientCommand(reg.stdout)
    log('swarmgate/client login (client-proxy container, published on 127.0.0.1)')
    const login = await client(volume, [swarm, '--endpoint', `${gateway}:2376`, '--fingerprint', registered.fingerprint, '--username', 'alice', '--password-stdin', '--quiet', '--network', 'bridge'], { input: `${password}\n` })
    if (login.code !== 0) throw new Error(`the client failed: ${login.stderr}`)
    const publishedHost = exportedHost(login.stdout)
    const server = await onlyContainer('label=com.docker.swarm.service.name=swarmgate-server-proxy')
    const proxy = await onlyContainer('label=io.swarmgate.component=client-proxy')

    // The copies: the client's container settings with another listener.
    const state = proxy.Mounts.find((m) => m.Type === 'volume')
    if (state?.Name === undefined) throw new Error('the client-proxy container has no state volume')
    const env = proxy.Config.Env.filter((e) => !/^SWARMGATE_LISTEN_(HOST|PORT|SOCKET)=/.test(e))
    const run = async (name: string, args: readonly string[]): Promise<void> => {
      const id = await docker(['run', '-d', ...LABEL_ARGS, '--name', name, '--user', proxy.Config.User, '--read-only', '--cap-drop', 'ALL',
        '--security-opt', 'no-new-privileges', '--mount', `type=volume,source=${state.Name as string},target=${state.Destination},readonly`,
        ...env.flatMap((e) => ['-e', e]), ...args, proxy.Config.Image])
      copies.push(id)
    }
    const hostPort = await freePort()
    await run(`swarmgate-bench-host-${suffix}`, ['--network', 'host', '-e', 'SWARMGATE_LISTEN_HOST=127.0.0.1', '-e', `SWARMGATE_LISTEN_PORT=${hostPort}`])
    const socketDir = join(dir, 'client-socket')
    await mkdir(socketDir)
    // The proxy runs as its own user and makes the socket owner-only; the bench runs as root.
    await chmod(socketDir, 0o777)
    await run(`swarmgate-bench-unix-${suffix}`, ['--network', 'host', '-e', 'SWARMGATE_LISTEN_HOST=127.0.0.1', '-e', `SWARMGATE_LISTEN_PORT=${await freePort()}`,
      '-e', 'SWARMGATE_LISTEN_SOCKET=/sock/docker.sock', '-v', `${socketDir}:/sock`])
    const socketHost = `unix://${join(socketDir, 'docker.sock')}`
    const hostNetworkHost = `tcp://127.0.0.1:${hostPort}`
    for (const host of [hostNetworkHost, socketHost]) {
      await waitFor(`the client-proxy copy on ${host} to answer`, async () => {
        return await docker(['version', '--format', '{{.Server.Version}}'], { host, timeoutMs: 10_000 }).then(() => true, () => undefined)
      }, { timeoutMs: 60_000, intervalMs: 500 })
    }
    return { publishedHost, hostNetworkHost, socketHost, serverPid: server.State.Pid, clientPid: proxy.State.Pid, close }
  } catch (err) {
    await close()
    throw err
  }
}
