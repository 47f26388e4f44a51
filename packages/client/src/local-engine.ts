/**
 * The engine the client starts the proxy on: the one that runs the client container. The user's
 * `docker run` mounts its socket; DOCKER_HOST, passed through for shell-address.ts, is used to
 * connect only when it names a socket that is there or a tcp:// engine and no socket is mounted.
 */
import { existsSync } from 'node:fs'
import { DEFAULT_ENGINE_SOCKET, EngineClient, engineAddress, hasCode, type EngineAddressOptions } from '@swarmgate/core'
import { errors } from './errors.js'

/** Connects to the local engine. */
export async function connectLocalEngine (dockerHost: string | undefined, opts: EngineAddressOptions): Promise<EngineClient> {
  const ownSocket = dockerHost?.startsWith('unix://') === true && existsSync(dockerHost.slice('unix://'.length))
  const useDockerHost = ownSocket || (dockerHost?.startsWith('tcp://') === true && !existsSync(DEFAULT_ENGINE_SOCKET))
  const address = engineAddress(useDockerHost ? dockerHost : undefined, opts)
  try {
    return await EngineClient.connect(address)
  } catch (err) {
    if (!hasCode(err, 'SG_ERR_ENGINE_UNREACHABLE')) throw err
    throw errors.SG_ERR_CLIENT_ENGINE_UNREACHABLE(`${err.message}; mount the engine socket: docker run --rm -ti -v /var/run/docker.sock:/var/run/docker.sock -e DOCKER_HOST swarmgate/client ...`, err)
  }
}
