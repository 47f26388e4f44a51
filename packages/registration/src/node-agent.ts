/**
 * The node agent service (docs/protocol.md, "Every node"): server-proxy's image with
 * --node-agent, global on every node, workers included, so that a call addressed to any node
 * reaches that node's engine through the same policy. It is made from server-proxy's own spec, so
 * both always run the same image, public keys and policy. It publishes no port: server-proxy
 * reaches it on its overlay network (core NODE_AGENT_NETWORK), in TLS with the agents' own
 * certificate (agent-secrets.ts). It mounts no signing key, no account store and no key of the CA
 * clients pin: the public half of the token keys (verify-keys) verifies the managers' node
 * assertions and signs nothing, so a worker taken over holds no password hash and can make
 * neither a token nor an assertion.
 */
import { NODE_AGENT_NETWORK, NODE_AGENT_PORT, NODE_AGENT_SERVICE, type EngineClient, type Service, type Task } from '@swarmgate/core'
import type { Context } from './context.js'
import { FAILED_UPDATE, taskErrors, templateKey } from './convergence.js'
import { errors } from './errors.js'
import { AGENT_SECRET_KINDS, CONFIG_KINDS, LABELS, SECRET_KINDS } from './names.js'
import { Progress } from './progress.js'
import type { IdentitySecret } from './secrets.js'
import { secretMount, type ServerProxySpec } from './service-spec.js'
import { waitFor } from './wait.js'

const SECOND = 1e9
const AGENT_MONITOR = 5 * SECOND
/** What the agent reads of server-proxy's mounts: the public token keys to check assertions, the policy to decide. Never the signing keys or the accounts. */
const AGENT_SECRETS = new Set<string>([SECRET_KINDS['verify-keys'].target])
const AGENT_CONFIGS = new Set<string>([CONFIG_KINDS.policy.target])
// The metrics address too: each agent serves server-proxy's figures on its overlay address, where `status` reads them.
const AGENT_ENV = new Set(['SWARMGATE_SWARM_NAME', 'SWARMGATE_METRICS_ADDRESS', CONFIG_KINDS.policy.env])

/** The agent service's spec, from server-proxy's and the agents' own secrets (of AGENT_SECRET_KINDS, among `secrets`). */
export function nodeAgentSpec (serverProxy: ServerProxySpec, secrets: readonly IdentitySecret[]): ServerProxySpec {
  const container = serverProxy.TaskTemplate.ContainerSpec
  const labels = { ...container.Labels, [LABELS.component]: 'node-agent' }
  return {
    Name: NODE_AGENT_SERVICE,
    Labels: { ...serverProxy.Labels, [LABELS.component]: 'node-agent' },
    TaskTemplate: {
      ContainerSpec: {
        Image: container.Image,
        // The agent's containers are swarmgate's own (rule swarmgate-object): no operator enters one.
        Labels: labels,
        Env: [
          ...(container.Env ?? []).filter((e) => AGENT_ENV.has(e.slice(0, e.indexOf('=')))),
          'SWARMGATE_NODE_AGENT=true',
          `SWARMGATE_PORT=${NODE_AGENT_PORT}`,
          `SWARMGATE_SIGNING_KEYS=/run/secrets/${SECRET_KINDS['verify-keys'].target}`,
          `SWARMGATE_TLS_CERT=/run/secrets/${SECRET_KINDS['agent-cert'].target}`,
          `SWARMGATE_TLS_KEY=/run/secrets/${SECRET_KINDS['agent-key'].target}`,
          // The swarm fills in each task's node: the agent accepts assertions for that node only.
          'SWARMGATE_NODE_ID={{.Node.ID}}'
        ],
        Mounts: container.Mounts ?? [],
        Secrets: [...(container.Secrets ?? []).filter((s) => AGENT_SECRETS.has(s.File.Name)), ...secrets.filter((s) => AGENT_SECRET_KINDS.has(s.kind)).map(secretMount)],
        Configs: (container.Configs ?? []).filter((c) => AGENT_CONFIGS.has(c.File.Name)),
        // A task counts as running once healthy; failed checks in the first 30 s do not fail it,
        // since a registration restarts every manager's server-proxy at the same moment and a
        // loaded node may take seconds to start node.
        Healthcheck: { ...container.Healthcheck, Test: ['CMD', 'node', '/app/packages/server-proxy/dist/main.js', 'healthcheck'], StartPeriod: 30 * SECOND },
        StopGracePeriod: 10 * SECOND
      },
      RestartPolicy: { Condition: 'any', Delay: 5 * SECOND, MaxAttempts: 0 },
      Networks: [{ Target: NODE_AGENT_NETWORK }]
    },
    Mode: { Global: {} },
    // Every node at once (Parallelism 0): one node at a time with a 15 s watch each would make
    // every `users` or `policy` change take minutes per dozen nodes. Stop-first as server-proxy's
    // (a start-first update rolled back once in the lab): while a node's agent restarts, calls for
    // that node are answered SG_ERR_NODE_AGENT_DOWN at once. Watched 5 s once healthy (a health
    // check's interval), or server-proxy's watch when --update-monitor made that shorter: every
    // account or policy change waits for this update to complete.
    UpdateConfig: { Parallelism: 0, Order: 'stop-first', FailureAction: 'rollback', Monitor: Math.min(AGENT_MONITOR, serverProxy.UpdateConfig?.Monitor ?? AGENT_MONITOR) }
  }
}

/**
 * Creates or updates the agent service from server-proxy's spec and the agents' secrets among
 * `secrets` (restarting its tasks when `force`) and waits for it on every node, or removes it:
 * `wanted` says which, and undefined keeps the agents as they are (running when the service exists).
 */
export async function syncNodeAgent (ctx: Context, serverProxy: ServerProxySpec, secrets: readonly IdentitySecret[], force: boolean, wanted: boolean | undefined): Promise<void> {
  const { engine } = ctx
  const spec = nodeAgentSpec(serverProxy, secrets)
  const existing = await findNodeAgent(engine)
  const run = wanted ?? existing !== undefined
  if (!run) {
    if (existing !== undefined) {
      ctx.stderr.write(`Removing service ${NODE_AGENT_SERVICE}: calls can no longer be addressed to other nodes\n`)
      await engine.removeService(existing.ID)
    }
    return
  }
  let id: string
  if (existing === undefined) {
    ctx.stderr.write(`Creating service ${NODE_AGENT_SERVICE} on every node\n`)
    id = (await engine.createService(spec)).ID
  } else {
    ctx.stderr.write(`Updating service ${NODE_AGENT_SERVICE}\n`)
    id = existing.ID
    await engine.updateService(id, existing.Version.Index, { ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: (existing.Spec.TaskTemplate.ForceUpdate ?? 0) + (force ? 1 : 0) } })
  }
  await waitForAgents(engine, id, ctx.config.timeout * 1000, new Progress(ctx.stderr))
}

/** The node agents' service, when the swarm runs them. */
export async function findNodeAgent (engine: EngineClient): Promise<Service | undefined> {
  // The name filter matches prefixes; only the exact name is ours.
  return (await engine.services({ name: [NODE_AGENT_SERVICE] })).find((s) => s.Spec.Name === NODE_AGENT_SERVICE)
}

/** Resolves when every ready, active node runs a healthy agent task of the current spec. */
async function waitForAgents (engine: EngineClient, serviceId: string, timeoutMs: number, progress: Progress): Promise<void> {
  let summary = ''
  const done = await waitFor(timeoutMs, async () => {
    const service = await engine.inspectService(serviceId)
    const state = service.UpdateStatus?.State
    if (state !== undefined && FAILED_UPDATE.has(state)) {
      progress.done()
      throw errors.SG_ERR_REGISTRATION_NOT_CONVERGED(`the ${NODE_AGENT_SERVICE} update was ${state.replace('_', ' ')}${service.UpdateStatus?.Message === undefined ? '' : ` (${service.UpdateStatus.Message})`}${await taskErrors(engine, serviceId, NODE_AGENT_SERVICE)}`)
    }
    const nodes = (await engine.nodes()).filter((n) => n.Status.State === 'ready' && n.Spec.Availability === 'active')
    const current = templateKey(service.Spec.TaskTemplate)
    const byNode = new Map<string, Task>()
    for (const t of await engine.tasks({ service: [serviceId], 'desired-state': ['running'] })) {
      if (t.NodeID !== undefined && templateKey(t.Spec) === current) byNode.set(t.NodeID, t)
    }
    const running = nodes.filter((n) => byNode.get(n.ID)?.Status.State === 'running')
    summary = `${running.length}/${nodes.length} nodes running the node agent`
    progress.update(`${NODE_AGENT_SERVICE}: ${summary}`)
    return nodes.length > 0 && running.length === nodes.length && state !== 'updating' ? true : undefined
  }, 1000)
  progress.done()
  if (done === undefined) throw errors.SG_ERR_REGISTRATION_NOT_CONVERGED(`${summary} after ${Math.round(timeoutMs / 1000)} s; see docker service ps --no-trunc ${NODE_AGENT_SERVICE}`)
}
