/**
 * `users ls|add|set-role|passwd|rm`: the account store is a secret, so a change reads the current
 * store (through the secret reader), writes it as a new secret version and rolls server-proxy over
 * to it. Refresh tokens carry the account's stamp, which a new password or removal changes: from
 * then on they are refused, and the user's proxies stop once their access token expires. A role
 * change applies on every manager once the rolling update has finished. A change also migrates
 * accounts of the legacy role "user" to operator, and says so. `users add NAME --docker-id` names
 * a Docker ID: no password is asked or kept, Docker Hub checks it at each login, and nothing is
 * sent to Docker Hub now.
 */
import type { Account } from '@swarmgate/core'
import { addAccount, addDockerId, changePassword, localAccount, refuseTaken, removeAccount, setRole } from '../account-edits.js'
import type { Context } from '../context.js'
import { askNewPassword, askUsername, dockerIdName } from '../credentials.js'
import { errors } from '../errors.js'
import { changeStore, checkRoleOnSwarm, readRegistered, readStore } from '../registered.js'
import { textTable } from '../text-table.js'

const USAGE = 'use users ls, users add NAME [--role ROLE] [--docker-id], users set-role NAME ROLE, users passwd NAME or users rm NAME'

function table (accounts: readonly Account[]): string {
  return textTable([['NAME', 'KIND', 'ROLE', 'STATE'], ...accounts.map((a) => [a.name, a.kind, a.role, a.state])])
}

/** Runs `users <sub> [name] [role]`. */
export async function users (ctx: Context, args: readonly string[]): Promise<void> {
  const [sub, name, ...rest] = args
  const [role, ...extra] = sub === 'set-role' ? rest : [undefined, ...rest]
  if (extra.length > 0) throw errors.SG_ERR_REGISTRATION_COMMAND(`users ${args.join(' ')}: too many arguments; ${USAGE}`)
  if (sub === 'ls') {
    ctx.stdout.write(table((await readStore(ctx, await readRegistered(ctx))).accounts))
    return
  }
  if (sub !== 'add' && sub !== 'rm' && sub !== 'passwd' && sub !== 'set-role') throw errors.SG_ERR_REGISTRATION_COMMAND(`users ${sub ?? ''}: ${USAGE}`)
  if (sub === 'set-role' && role === undefined) throw errors.SG_ERR_REGISTRATION_COMMAND(`users set-role needs the account and the role: users set-role NAME ROLE`)
  const dockerId = sub === 'add' && ctx.config.dockerId
  const given = name ?? ctx.config.username
  // A Docker ID is named as Docker Hub keeps it; other commands find either kind by its name.
  const username = dockerId
    ? dockerIdName(given ?? await ctx.prompter.ask('Docker ID', { flag: 'the Docker ID: users add NAME --docker-id' }))
    : await askUsername(ctx.prompter, given)
  const registered = await readRegistered(ctx)
  const newRole = role ?? ctx.config.role
  if (sub === 'add' || sub === 'set-role') await checkRoleOnSwarm(ctx, registered.state, newRole)
  let done = ''
  const report = await changeStore(ctx, registered, async (current) => {
    if (sub === 'rm') {
      done = `Removed the account ${username}; its logins no longer refresh`
      return removeAccount(current, username)
    }
    if (sub === 'set-role') {
      done = `Changed the role of ${username} from ${current.accounts.find((a) => a.name === username)?.role ?? '?'} to ${newRole}; it applies on every manager now`
      return setRole(current, username, newRole)
    }
    if (dockerId) {
      done = `Added the Docker ID ${username} (${newRole}); Docker Hub checks its password or token at each login`
      return addDockerId(current, username, newRole)
    }
    // Refused before a password is asked for nothing.
    if (sub === 'add') refuseTaken(current, username, 'local')
    else localAccount(current, username)
    ctx.prompter.say(sub === 'add' ? `New password for ${username}:` : `Changing the password of ${username}:`)
    const password = await askNewPassword(ctx.prompter, ctx.stdin, ctx.config.passwordStdin)
    done = sub === 'add' ? `Added the account ${username} (${newRole})` : `Changed the password of ${username}; its earlier logins no longer refresh`
    return sub === 'add' ? await addAccount(current, username, password, newRole) : await changePassword(current, username, password)
  })
  ctx.stdout.write(`${report}${done}.\n`)
}
