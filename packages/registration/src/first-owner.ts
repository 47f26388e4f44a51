/**
 * The swarm's first owner, on the first registration: a local account (name and a new password,
 * asked twice) or a Docker ID (--identity docker-id), checked with Docker Hub with its password or
 * personal access token before anything is created. The owner of a Docker ID swarm is the name
 * Docker Hub returns (an e-mail or another case logs in as the account), kept without a password.
 */
import type { AccountStore } from '@swarmgate/core'
import { storeWith, storeWithDockerId } from './account-edits.js'
import type { Context } from './context.js'
import { askDockerIdLogin, askIdentity, askNewPassword, askSecret, askUsername, DOCKER_ID_HEADER, LOCAL_OWNER_HEADER } from './credentials.js'
import { checkDockerIdLogin, type HubConnection } from './docker-hub.js'

/** A local owner comes with its new password; a Docker ID owner with none (Docker Hub checks it). */
export type Owner =
  | { readonly kind: 'local', readonly username: string, readonly password: string }
  | { readonly kind: 'docker-id', readonly username: string }

/** Asks who the owner is and, for a Docker ID, checks it with `hub`; throws before anything is created. */
export async function askOwner (ctx: Context, hub: HubConnection): Promise<Owner> {
  const { prompter, config } = ctx
  const kind = await askIdentity(prompter, config.identity)
  if (kind === 'local') {
    prompter.say(LOCAL_OWNER_HEADER)
    const username = await askUsername(prompter, config.username)
    return { kind, username, password: await askNewPassword(prompter, ctx.stdin, config.passwordStdin) }
  }
  prompter.say(DOCKER_ID_HEADER)
  const login = await askDockerIdLogin(prompter, config.username)
  const secret = await askSecret(prompter, ctx.stdin, config.passwordStdin, 'Password or personal access token')
  prompter.say(`Checking the Docker ID ${login} with Docker Hub at ${hub.url}`)
  const username = await checkDockerIdLogin(hub, login, secret, 'nothing was created')
  if (username !== login.toLowerCase()) prompter.say(`Docker Hub knows ${login} as ${username}: ${username} is the owner`)
  return { kind, username }
}

/** The account store the registration starts with: the owner alone. */
export async function ownerStore (owner: Owner): Promise<AccountStore> {
  return owner.kind === 'local' ? await storeWith(owner.username, owner.password, 'owner') : storeWithDockerId(owner.username, 'owner')
}
