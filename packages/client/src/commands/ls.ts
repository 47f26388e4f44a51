/** `ls`: the saved swarms, with their proxies' state and ports. */
import type { Container } from '@swarmgate/core'
import type { Context } from '../context.js'
import { proxyContainerName, swarmRef } from '../names.js'

async function proxyState (ctx: Context, name: string): Promise<string> {
  let c: Container
  try {
    c = await ctx.engine.inspectContainer(name)
  } catch (err) {
    if ((err as { code?: string }).code === 'SG_ERR_ENGINE_NOT_FOUND') return 'no proxy'
    throw err
  }
  return c.State.Health === undefined ? c.State.Status : `${c.State.Status} (${c.State.Health.Status})`
}

/** Runs ls. */
export async function ls (ctx: Context): Promise<void> {
  const rows = [['SWARM', 'ACCOUNT', 'PROXY', 'DOCKER_HOST', 'ENDPOINTS']]
  for (const { saved } of await ctx.state.list()) {
    const state = await proxyState(ctx, proxyContainerName(swarmRef(saved.swarm)))
    rows.push([saved.swarm, saved.account ?? '-', state, saved.port === undefined ? '-' : `tcp://127.0.0.1:${saved.port}`, saved.endpoints.join(',')])
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)) + 2) ?? []
  ctx.stdout.write(rows.map((r) => r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i] as number)).join('')).join('\n') + '\n')
}
