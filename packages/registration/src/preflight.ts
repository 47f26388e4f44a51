/**
 * The checks registration makes before it changes anything, each failing with what to do: the
 * engine answers, is new enough for swarm secrets, is in a swarm, and this node is a manager.
 */
import { EngineClient, compareApiVersions, engineAddress, hasCode, type EngineAddressOptions, type SystemInfo } from '@swarmgate/core'
import { errors } from './errors.js'

/** Swarm secrets, service health checks and host-mode ports came with API 1.25 (Docker 1.13). */
export const MIN_API_VERSION = '1.25'

export interface SwarmManager {
  readonly engine: EngineClient
  readonly info: SystemInfo
  readonly swarmId: string
}

/** Connects to the engine at `dockerHost` and checks it is a swarm manager swarmgate can use. */
export async function connectToManager (dockerHost: string | undefined, opts: EngineAddressOptions): Promise<SwarmManager> {
  const address = engineAddress(dockerHost, opts)
  let engine: EngineClient
  try {
    engine = await EngineClient.connect(address)
  } catch (err) {
    if (!hasCode(err, 'SG_ERR_ENGINE_UNREACHABLE')) throw err
    const how = address.kind === 'unix'
      ? `mount the engine socket into the container: docker run -ti --rm -v /var/run/docker.sock:/var/run/docker.sock swarmgate/registration (${err.message})`
      : `check that ${address.url} is a Docker engine that answers (${err.message})`
    throw errors.SG_ERR_REGISTRATION_ENGINE_UNREACHABLE(how, err)
  }
  try {
    return await checkManager(engine)
  } catch (err) {
    await engine.close()
    throw err
  }
}

async function checkManager (engine: EngineClient): Promise<SwarmManager> {
  if (compareApiVersions(engine.apiVersion, MIN_API_VERSION) < 0) {
    throw errors.SG_ERR_REGISTRATION_ENGINE_TOO_OLD(`it speaks Docker API ${engine.apiVersion} and swarm secrets need ${MIN_API_VERSION} (Docker 1.13) or newer; upgrade Docker on this node`)
  }
  const info = await engine.info()
  const swarm = info.Swarm
  switch (swarm.LocalNodeState) {
    case 'active': break
    case 'locked':
      throw errors.SG_ERR_REGISTRATION_NOT_SWARM('the swarm is locked; unlock it with docker swarm unlock, then run registration again')
    case 'pending':
      throw errors.SG_ERR_REGISTRATION_NOT_SWARM('this node is still joining the swarm; wait until docker info shows "Swarm: active", then run registration again')
    case 'error':
      throw errors.SG_ERR_REGISTRATION_NOT_SWARM(`the swarm reports an error (${swarm.Error}); fix it, then run registration again`)
    default:
      throw errors.SG_ERR_REGISTRATION_NOT_SWARM('run docker swarm init first (or docker swarm join as a manager), then run registration again')
  }
  if (!swarm.ControlAvailable) {
    throw errors.SG_ERR_REGISTRATION_NOT_MANAGER('this node is a worker; run registration on a manager (docker node ls there lists the managers under MANAGER STATUS)')
  }
  const { ID } = await engine.swarm()
  return { engine, info, swarmId: ID }
}
