/**
 * `hub-token ORG`: the organization access token server-proxy reads ORG's teams with (teams add).
 * It is checked with Docker Hub before it is kept: exchanged for a bearer as ORG, and used once to
 * read the organization's teams. It is kept in the account store, a swarm secret, and never
 * printed; giving another token for ORG replaces it.
 */
import { validDockerId } from '@swarmgate/core'
import { setHubToken } from '../account-edits.js'
import type { Context } from '../context.js'
import { askSecret } from '../credentials.js'
import { checkOrgToken } from '../docker-hub.js'
import { errors } from '../errors.js'
import { changeStore, readRegistered, registeredHub } from '../registered.js'

/** A person's token, which can never read an organization's teams. */
const PERSONAL_TOKEN_PREFIX = 'dckr_pat_'

/** Runs `hub-token ORG`. */
export async function hubToken (ctx: Context, args: readonly string[]): Promise<void> {
  const [given, ...extra] = args
  if (given === undefined || extra.length > 0) throw errors.SG_ERR_REGISTRATION_COMMAND(`hub-token ${args.join(' ')}: give the organization: hub-token ORG [--password-stdin]`)
  const org = given.toLowerCase()
  if (!validDockerId(org)) throw errors.SG_ERR_REGISTRATION_HUB_TOKEN(`"${given}" is not a Docker Hub organization name (4 to 30 letters and digits)`)
  const registered = await readRegistered(ctx)
  const token = await askSecret(ctx.prompter, ctx.stdin, ctx.config.passwordStdin, `Organization access token of ${org}`)
  if (token.startsWith(PERSONAL_TOKEN_PREFIX)) {
    throw errors.SG_ERR_REGISTRATION_HUB_TOKEN(`that is a personal access token; teams are read with an organization access token (dckr_oat_...), which an owner of ${org} creates in its settings on Docker Hub; nothing was changed`)
  }
  const teams = await checkOrgToken(await registeredHub(ctx, registered), org, token, 'nothing was changed')
  const report = await changeStore(ctx, registered, (store) => setHubToken(store, org, token))
  ctx.stdout.write(`${report}Kept the access token of the organization ${org} (Docker Hub accepted it; it reads ${teams} team(s)); teams add ${org}/TEAM --role ROLE maps a team to a role.\n`)
}
