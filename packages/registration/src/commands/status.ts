/** `status`: what is registered and whether server-proxy runs on each manager. */
import type { Context } from '../context.js'
import { clientCommand } from '../client-command.js'
import { errors } from '../errors.js'
import { DEFAULT_DOCKER_HUB_URL } from '../docker-hub.js'
import { currentConfig, readState } from '../registration-state.js'
import { readServerProxySettings } from '../service-spec.js'

/** Runs status; fails when the swarm is not registered. */
export async function status (ctx: Context): Promise<void> {
  const { engine } = ctx
  const state = await readState(engine)
  const settings = state.service === undefined ? undefined : readServerProxySettings(state.service.Spec)
  if (state.service === undefined || settings === undefined) {
    const hint = state.secrets.size > 0 ? ' (swarmgate secrets exist, but not the server-proxy service: run registration again to complete it)' : ''
    throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED(`run swarmgate/registration first${hint}`)
  }
  const nodes = new Map((await engine.nodes()).map((n) => [n.ID, n]))
  const tasks = await engine.tasks({ service: [state.service.ID], 'desired-state': ['running'] })
  const managers = [...nodes.values()].filter((n) => n.Spec.Role === 'manager')
  const hubCa = currentConfig(state, 'docker-hub-ca')
  const lines = [
    `Swarm:        ${settings.swarmName} (swarm ${ctx.manager.swarmId})`,
    `Fingerprint:  ${settings.fingerprint}`,
    `Endpoints:    ${settings.endpoints.join(' ')}${settings.endpointsGiven ? ' (given with --endpoint)' : ' (the managers\' addresses)'}`,
    `Image:        ${settings.image}`,
    `Token TTL:    ${settings.tokenTtl === undefined ? 'server-proxy default' : `${settings.tokenTtl} s`}`,
    `Docker Hub:   ${settings.dockerHubUrl ?? `${DEFAULT_DOCKER_HUB_URL} (default)`}, CA ${hubCa?.name ?? 'the system\'s'}, grace ${settings.dockerHubGrace === undefined ? 'server-proxy default' : `${settings.dockerHubGrace} s`}`,
    `Update:       ${state.service.UpdateStatus?.State ?? 'none'}${state.service.UpdateStatus?.Message === undefined ? '' : ` (${state.service.UpdateStatus.Message})`}`,
    `Secrets:      ${[...state.secrets.values()].map((list) => list.map((s) => s.name).join(', ')).join(', ')}`,
    'server-proxy on the managers:',
    ...managers.map((m) => {
      const task = tasks.find((t) => t.NodeID === m.ID)
      const where = `${m.Description.Hostname} (${m.ManagerStatus?.Addr ?? m.Status.Addr}, ${m.Status.State}, ${m.Spec.Availability})`
      return `  ${where}: ${task === undefined ? 'no task' : `${task.Status.State}${task.Status.Err === undefined ? '' : ` - ${task.Status.Err}`}`}`
    }),
    'Client command:',
    `    ${clientCommand(settings.swarmName, settings.endpoints, settings.fingerprint)}`,
    ''
  ]
  ctx.stdout.write(lines.join('\n'))
}
