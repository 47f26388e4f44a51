/** `rm NS/NAME`: stops and removes the swarm's proxy and forgets its login. */
import type { Context } from '../context.js'
import { errors } from '../errors.js'
import { LABELS, proxyContainerName, type SwarmRef } from '../names.js'
import { CLIENT_NETWORK } from '../proxy-container.js'

/** Runs rm. */
export async function rm (ctx: Context, ref: SwarmRef): Promise<void> {
  const { engine } = ctx
  const name = proxyContainerName(ref)
  const saved = await ctx.state.read(ref)
  let removed = false
  try {
    await engine.removeContainer(name)
    removed = true
  } catch (err) {
    if ((err as { code?: string }).code !== 'SG_ERR_ENGINE_NOT_FOUND') throw err
  }
  if (saved === undefined && !removed) throw errors.SG_ERR_CLIENT_NOT_CONNECTED(`${ref.swarm} has no proxy and no saved login here (ls lists them)`)
  await ctx.state.forget(ref)
  // The proxies' network goes with the last proxy.
  const proxies = await engine.containers({ label: [`${LABELS.component}=client-proxy`] })
  if (proxies.length === 0) {
    for (const n of (await engine.networks({ name: [CLIENT_NETWORK] })).filter((n) => n.Name === CLIENT_NETWORK)) await engine.removeNetwork(n.Id)
  }
  ctx.stdout.write(`Removed ${removed ? `the proxy ${name} and ` : ''}the saved login for ${ref.swarm}.\n`)
}
