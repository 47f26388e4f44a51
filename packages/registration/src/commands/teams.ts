/**
 * `teams ls|add ORG/TEAM|rm ORG/TEAM`: Docker Hub teams whose members get a role. server-proxy
 * asks Docker Hub at each login and refresh whether the person is in the team, with the
 * organization's access token (hub-token), so a team needs one; `teams add` asks Docker Hub once
 * that the team exists, with that token, before anything changes. A mapping has a stamp of its
 * own: `teams rm` drops it, and the logins made through the team stop refreshing.
 */
import type { AccountStore } from '@swarmgate/core'
import { addTeam, noToken, parseTeam, removeTeam } from '../account-edits.js'
import type { Context } from '../context.js'
import { checkTeamExists } from '../docker-hub.js'
import { errors } from '../errors.js'
import { changeStore, checkRoleOnSwarm, readRegistered, readStore, registeredHub } from '../registered.js'
import { textTable } from '../text-table.js'

const USAGE = 'use teams ls, teams add ORG/TEAM [--role ROLE] or teams rm ORG/TEAM'

/** The mapped teams; a token is never printed, only whether the organization has one. */
function listing (store: AccountStore): string {
  const table = textTable([['TEAM', 'ROLE', 'ORG TOKEN'], ...store.teams.map((g) => [`${g.org}/${g.team}`, g.role, store.hubTokens[g.org] === undefined ? 'missing' : 'kept'])])
  const orgs = Object.keys(store.hubTokens).sort()
  return `${table}${orgs.length === 0 ? 'No organization access token is kept (hub-token ORG gives one).' : `Organization access tokens kept for: ${orgs.join(', ')}`}\n`
}

/** Runs `teams <sub> [ORG/TEAM]`. */
export async function teams (ctx: Context, args: readonly string[]): Promise<void> {
  const [sub, name, ...extra] = args
  if (extra.length > 0 || (sub !== 'ls' && sub !== 'add' && sub !== 'rm') || (sub === 'ls') !== (name === undefined)) {
    throw errors.SG_ERR_REGISTRATION_COMMAND(`teams ${args.join(' ')}: ${USAGE}`)
  }
  if (sub === 'ls') {
    ctx.stdout.write(listing(await readStore(ctx, await readRegistered(ctx))))
    return
  }
  const { org, team } = parseTeam(name as string)
  const registered = await readRegistered(ctx)
  if (sub === 'rm') {
    const report = await changeStore(ctx, registered, (store) => removeTeam(store, org, team))
    ctx.stdout.write(`${report}Removed the team ${org}/${team}; logins made through it no longer refresh.\n`)
    return
  }
  const role = ctx.config.role
  await checkRoleOnSwarm(ctx, registered.state, role)
  const report = await changeStore(ctx, registered, async (store) => {
    const token = store.hubTokens[org]
    if (token === undefined) throw noToken(org)
    const changed = addTeam(store, org, team, role)
    ctx.stderr.write(`Checking the team ${org}/${team} with Docker Hub\n`)
    await checkTeamExists(await registeredHub(ctx, registered), org, team, token, 'nothing was changed')
    return changed
  })
  ctx.stdout.write(`${report}Mapped the Docker Hub team ${org}/${team} to the role ${role}: its members log in with their Docker IDs.\n`)
}
