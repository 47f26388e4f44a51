/**
 * `status`: what is registered, each manager's server-proxy and, when the node agents run, each
 * node's agent: its task as the swarm sees it (state, health, the last error of a task on that
 * node) and its own figures (version, uptime, open sessions, engine errors; proxy-figures.ts).
 */
import { NODE_AGENT_SERVICE, type SwarmNode, type Task } from '@swarmgate/core'
import type { Context } from '../context.js'
import { clientCommand } from '../client-command.js'
import { errors } from '../errors.js'
import { DEFAULT_DOCKER_HUB_URL } from '../docker-hub.js'
import { currentConfig, readState } from '../registration-state.js'
import { readServerProxySettings } from '../service-spec.js'
import { readFigures, type FiguresAnswer } from '../proxy-figures.js'

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
  // Every task the swarm still keeps (the current one and the last few of each node): the last error is among them.
  const allTasks = await engine.tasks({ service: [state.service.ID] })
  const tasks = allTasks.filter((t) => t.DesiredState === 'running')
  const managers = [...nodes.values()].filter((n) => n.Spec.Role === 'manager')
  const agents = (await engine.services({ name: [NODE_AGENT_SERVICE] })).find((s) => s.Spec.Name === NODE_AGENT_SERVICE)
  const allAgentTasks = agents === undefined ? [] : await engine.tasks({ service: [agents.ID] })
  const agentTasks = allAgentTasks.filter((t) => t.DesiredState === 'running')
  const here = tasks.find((t) => t.NodeID === ctx.manager.info.Swarm.NodeID && t.Status.State === 'running')
  // One exec asks every server-proxy and agent: the agents serve their figures on the same overlay network.
  const figures = await readFigures(engine, here?.Status.ContainerStatus?.ContainerID, [...tasks, ...agentTasks].filter((t) => t.Status.State === 'running'))
  const now = Date.now()
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
    ...managers.flatMap((m) => taskLines(`${m.Description.Hostname} (${m.ManagerStatus?.Addr ?? m.Status.Addr}, ${m.Status.State}, ${m.Spec.Availability})`, m, tasks, allTasks, figures, now)),
    ...(agents === undefined
      ? ['Node agents:  off (registration --node-agents on runs one on every node)']
      : [`${NODE_AGENT_SERVICE} on every node:`, ...[...nodes.values()].flatMap((n) => taskLines(`${n.Description.Hostname} (${n.Spec.Role}, ${n.Status.Addr}, ${n.Status.State}, ${n.Spec.Availability})`, n, agentTasks, allAgentTasks, figures, now))]),
    'Client command:',
    `    ${clientCommand(settings.swarmName, settings.endpoints, settings.fingerprint)}`,
    ''
  ]
  ctx.stdout.write(lines.join('\n'))
}

/**
 * The lines of one node's task of a service: `where` and its state and health, its figures when it
 * runs, the last error of a task of that service on that node.
 */
function taskLines (where: string, node: SwarmNode, tasks: readonly Task[], history: readonly Task[], figures: ReadonlyMap<string, FiguresAnswer>, now: number): string[] {
  const task = tasks.find((t) => t.NodeID === node.ID)
  const failed = lastError(history.filter((t) => t.NodeID === node.ID))
  return [
    `  ${where}: ${task === undefined ? 'no task' : `${task.Status.State}${task.Status.Err === undefined ? '' : ` - ${task.Status.Err}`}${HEALTH[task.Status.State] ?? ''}`}`,
    ...(task === undefined || task.Status.State !== 'running' ? [] : [`    ${figuresLine(figures.get(task.ID), now)}`]),
    ...(failed === undefined ? [] : [`    last error: ${failed.Status.Err ?? ''} (${ago(now, Date.parse(failed.Status.Timestamp) / 1000)}, task ${failed.ID.slice(0, 12)} ${failed.Status.State})`])
  ]
}

/** What a task state says about health: the swarm runs a task only once its health check passed, and fails it when the check fails. */
const HEALTH: Readonly<Record<string, string>> = { running: ' (healthy)', starting: ' (health check not yet passed)' }

/** The most recent task of a node that ended with an error. */
function lastError (tasks: readonly Task[]): Task | undefined {
  return tasks.filter((t) => t.Status.Err !== undefined && t.Status.Err !== '').sort((a, b) => Date.parse(b.Status.Timestamp) - Date.parse(a.Status.Timestamp))[0]
}

/** `3 min ago`, from seconds since the epoch. */
function ago (nowMs: number, atSeconds: number): string {
  const s = Math.max(0, Math.round(nowMs / 1000 - atSeconds))
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : s < 172800 ? `${Math.round(s / 3600)} h ago` : `${Math.round(s / 86400)} days ago`
}

/** The line of a server-proxy's own figures. */
function figuresLine (answer: FiguresAnswer | undefined, nowMs: number): string {
  if (answer === undefined) return 'figures: not asked'
  if ('unavailable' in answer) return `figures: unavailable (${answer.unavailable})`
  const f = answer.figures
  return [
    `version ${f.version ?? 'unknown'}`,
    f.startedAt === undefined ? undefined : `started ${ago(nowMs, f.startedAt)}`,
    `${f.openSessions ?? 'unknown'} open session${f.openSessions === 1 ? '' : 's'}`,
    `${f.engineErrors} engine error${f.engineErrors === 1 ? '' : 's'}${f.lastEngineErrorAt === undefined ? '' : ` (last ${ago(nowMs, f.lastEngineErrorAt)})`}`
  ].filter((p) => p !== undefined).join(', ')
}
