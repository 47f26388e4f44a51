/**
 * Waiting until server-proxy runs on every manager. A task with a health check only reaches
 * `running` once it is healthy, so a running task is a healthy proxy. A manager that is drained
 * or down cannot run a task of a global service and is not waited for.
 */
import type { EngineClient, SwarmNode, Task, TaskSpec } from '@swarmgate/core'
import { errors } from './errors.js'
import { SERVICE_NAME } from './names.js'
import type { Progress } from './progress.js'
import { mountedConfigs } from './service-spec.js'
import { waitFor } from './wait.js'

export interface ConvergenceOptions {
  readonly timeoutMs: number
  readonly progress: Progress
}

/** The update states of a service whose update failed (and may have been rolled back). */
export const FAILED_UPDATE = new Set<string>(['paused', 'rollback_started', 'rollback_paused', 'rollback_completed'])

/** Resolves when every eligible manager runs a task of `serviceId` with the current spec. */
export async function waitForServerProxy (engine: EngineClient, serviceId: string, opts: ConvergenceOptions): Promise<void> {
  let summary = ''
  const done = await waitFor(opts.timeoutMs, async () => {
    const service = await engine.inspectService(serviceId)
    const state = service.UpdateStatus?.State
    if (state !== undefined && FAILED_UPDATE.has(state)) {
      opts.progress.done()
      throw errors.SG_ERR_REGISTRATION_NOT_CONVERGED(`the update was ${state.replace('_', ' ')}${service.UpdateStatus?.Message === undefined ? '' : ` (${service.UpdateStatus.Message})`}${await taskErrors(engine, serviceId)}`)
    }
    const managers = (await engine.nodes({ role: ['manager'] })).filter((n) => n.Status.State === 'ready' && n.Spec.Availability === 'active')
    const tasks = await engine.tasks({ service: [serviceId], 'desired-state': ['running'] })
    const current = templateKey(service.Spec.TaskTemplate)
    const byNode = new Map<string, Task>()
    for (const t of tasks) {
      if (t.NodeID !== undefined && templateKey(t.Spec) === current) byNode.set(t.NodeID, t)
    }
    const running = managers.filter((n) => byNode.get(n.ID)?.Status.State === 'running')
    const waiting = managers.filter((n) => !running.includes(n)).map((n) => `${hostname(n)}: ${byNode.get(n.ID)?.Status.State ?? 'no task yet'}`)
    summary = `${running.length}/${managers.length} managers running server-proxy`
    opts.progress.update(`${SERVICE_NAME}: ${summary}${waiting.length > 0 ? ` (${waiting.join(', ')})` : ''}`)
    const updating = state === 'updating'
    return managers.length > 0 && running.length === managers.length && !updating ? true : undefined
  }, 1000)
  opts.progress.done()
  if (done === undefined) {
    throw errors.SG_ERR_REGISTRATION_NOT_CONVERGED(`${summary} after ${Math.round(opts.timeoutMs / 1000)} s${await taskErrors(engine, serviceId)}`)
  }
}

/**
 * What tells a task of the current spec from one of the spec before an update: right after an
 * update the old tasks still run for a moment, and must not count as converged.
 */
export function templateKey (spec: TaskSpec): string {
  const c = spec.ContainerSpec
  return JSON.stringify([c.Image.replace(/@sha256:[0-9a-f]+$/, ''), c.Env ?? [], (c.Secrets ?? []).map((s) => s.SecretID), mountedConfigs(spec).map((m) => m.ConfigID), spec.ForceUpdate ?? 0])
}

function hostname (n: SwarmNode): string {
  return n.Description.Hostname
}

/** The latest error of each node's tasks, as `docker service ps --no-trunc` would show them. */
export async function taskErrors (engine: EngineClient, serviceId: string, name = SERVICE_NAME): Promise<string> {
  const nodes = new Map((await engine.nodes()).map((n) => [n.ID, hostname(n)]))
  const latest = new Map<string, Task>()
  for (const t of await engine.tasks({ service: [serviceId] })) {
    const key = t.NodeID ?? 'unassigned'
    const seen = latest.get(key)
    if (t.Status.Err !== undefined && (seen === undefined || seen.Status.Timestamp < t.Status.Timestamp)) latest.set(key, t)
  }
  if (latest.size === 0) return `; see docker service ps --no-trunc ${name}`
  const lines = [...latest].map(([node, t]) => `  ${nodes.get(node) ?? node}: ${t.Status.State}: ${t.Status.Err ?? ''}`)
  return `. The tasks report:\n${lines.join('\n')}\nSee docker service ps --no-trunc ${name}`
}
