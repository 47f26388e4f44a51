/**
 * The Docker Hub settings a registration run leaves server-proxy with: --docker-hub-url,
 * --docker-hub-grace and --docker-hub-ca when given, else what the registration had (kept across
 * runs the way the token lifetime and the policy document are). The URL and grace go into
 * server-proxy's environment, only when set (server-proxy's defaults otherwise); the CA is a swarm
 * config, a new version only when its text changes.
 */
import type { Labels } from '@swarmgate/core'
import type { Context } from './context.js'
import { checkHubUrl, DEFAULT_DOCKER_HUB_URL, NO_CA, readHubCaFile, type HubConnection } from './docker-hub.js'
import { currentConfig, type RegistrationState } from './registration-state.js'
import type { ServerProxySettings } from './service-spec.js'
import { createSwarmConfig, readSwarmConfig, type SwarmConfig } from './swarm-configs.js'

export interface HubChoice {
  /** For server-proxy's environment; undefined: its default, Docker Hub. */
  readonly url: string | undefined
  /** Seconds, for server-proxy's environment; undefined: its default. */
  readonly grace: number | undefined
  /** The CA's PEM; undefined: the system's CAs. */
  readonly ca: string | undefined
  /** The config in force when it holds `ca` already. */
  readonly caConfig: SwarmConfig | undefined
}

/** The settings from the flags, else from the registration; a bad URL or CA file fails here, before anything is asked. */
export async function chooseHub (ctx: Context, state: RegistrationState, previous: ServerProxySettings | undefined): Promise<HubChoice> {
  const { dockerHubUrl, dockerHubGrace, dockerHubCa } = ctx.config
  const current = currentConfig(state, 'docker-hub-ca')
  const currentText = current === undefined ? undefined : await readSwarmConfig(ctx.engine, current)
  const ca = dockerHubCa === undefined ? currentText : dockerHubCa === NO_CA ? undefined : await readHubCaFile(dockerHubCa)
  return {
    url: dockerHubUrl === undefined ? previous?.dockerHubUrl : checkHubUrl(dockerHubUrl),
    grace: dockerHubGrace ?? previous?.dockerHubGrace,
    ca,
    caConfig: ca !== undefined && ca === currentText ? current : undefined
  }
}

/** How registration itself reaches the Docker Hub of `choice`. */
export function hubConnection (choice: HubChoice): HubConnection {
  return { url: choice.url ?? DEFAULT_DOCKER_HUB_URL, ca: choice.ca }
}

/** The CA config to mount: the one in force when unchanged, else a new version; undefined without a CA. */
export async function caConfigFor (ctx: Context, state: RegistrationState, choice: HubChoice, labels: Labels): Promise<SwarmConfig | undefined> {
  if (choice.ca === undefined) return undefined
  return choice.caConfig ?? await createSwarmConfig(ctx.engine, state.configs, 'docker-hub-ca', choice.ca, labels)
}
