/**
 * `audit [--account NAME] [--since DURATION] [--denied]`: server-proxy's audit lines from every
 * manager's task, read through the engine's service logs (the same lines as
 * `docker service logs swarmgate-server-proxy`), filtered and printed one decision a line.
 */
import { demultiplex, hasCode } from '@swarmgate/core'
import { auditReport } from '../audit-lines.js'
import type { Context } from '../context.js'
import { errors } from '../errors.js'
import { SERVICE_NAME } from '../names.js'

/** Runs audit. */
export async function audit (ctx: Context): Promise<void> {
  const { account, since, denied } = ctx.config
  const sinceMs = since === undefined ? undefined : Date.now() - since * 1000
  let body: Buffer
  try {
    body = await ctx.engine.call('GET', `/services/${SERVICE_NAME}/logs`, {
      // The engine keeps lines from `since` on (seconds); the filter drops what is older to the millisecond.
      query: { stdout: true, since: sinceMs === undefined ? undefined : Math.floor(sinceMs / 1000) }
    })
  } catch (err) {
    if (hasCode(err, 'SG_ERR_ENGINE_NOT_FOUND')) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('there is no server-proxy service to read audit lines from; run swarmgate/registration first', err)
    throw err
  }
  const lines = auditReport(demultiplex(body).stdout.toString('utf8'), { account, since: sinceMs, denied })
  if (lines.length === 0) {
    ctx.stderr.write('No audit lines match.\n')
    return
  }
  ctx.stdout.write(`${lines.join('\n')}\n`)
}
