/**
 * `users ls|add|set-role|passwd|rm`: the account store is a secret, so a change reads the current
 * store (through the secret reader), writes it as a new secret version and rolls server-proxy over
 * to it. Refresh tokens carry the account's stamp, which a new password or removal changes: from
 * then on they are refused, and the user's proxies stop once their access token expires. A role
 * change applies on every manager once the rolling update has finished. A change also migrates
 * accounts of the legacy role "user" to operator, and says so.
 */
import type { Account, AccountStore, Service } from '@swarmgate/core'
import { addAccount, changePassword, migrateLegacyRoles, migrationReport, removeAccount, setRole } from '../account-edits.js'
import { createAccountsVersion, readAccountStore } from '../account-store.js'
import type { Context } from '../context.js'
import { askNewPassword, askUsername } from '../credentials.js'
import { redeploy } from '../deploy.js'
import { errors } from '../errors.js'
import { readPolicyDocument } from '../policy-configs.js'
import { currentPolicy, currentSecret, readState, type RegistrationState } from '../registration-state.js'
import { checkRole } from '../role-names.js'
import type { IdentitySecret } from '../secrets.js'

const USAGE = 'use users ls, users add NAME [--role ROLE], users set-role NAME ROLE, users passwd NAME or users rm NAME'

interface Registered {
  readonly state: RegistrationState
  readonly service: Service
  readonly accounts: IdentitySecret
}

async function readRegistered (ctx: Context): Promise<Registered> {
  const state = await readState(ctx.engine)
  const accounts = currentSecret(state, 'accounts')
  if (state.service === undefined || accounts === undefined) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('run swarmgate/registration first')
  return { state, service: state.service, accounts }
}

/** The store, read by a reader task running server-proxy's image (it has node). */
async function readStore (ctx: Context, { state, service, accounts }: Registered): Promise<AccountStore> {
  return await readAccountStore(ctx, state, accounts, service.Spec.TaskTemplate.ContainerSpec.Image)
}

async function checkRoleOnSwarm (ctx: Context, state: RegistrationState, role: string): Promise<void> {
  checkRole(role, await readPolicyDocument(ctx.engine, currentPolicy(state)))
}

function table (accounts: readonly Account[]): string {
  const rows = [['NAME', 'ROLE', 'STATE'], ...accounts.map((a) => [a.name, a.role, a.state])]
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)) + 2)
  return rows.map((r) => `${(r[0] as string).padEnd(widths[0] as number)}${(r[1] as string).padEnd(widths[1] as number)}${r[2] as string}`).join('\n') + '\n'
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
  const username = await askUsername(ctx.prompter, name ?? ctx.config.username)
  const registered = await readRegistered(ctx)
  const { state } = registered
  const newRole = role ?? ctx.config.role
  if (sub === 'add' || sub === 'set-role') await checkRoleOnSwarm(ctx, state, newRole)
  const { store: current, migrated } = migrateLegacyRoles(await readStore(ctx, registered))
  let store: AccountStore
  let done: string
  if (sub === 'rm') {
    store = removeAccount(current, username)
    done = `Removed the account ${username}; its logins no longer refresh`
  } else if (sub === 'set-role') {
    const before = current.accounts.find((a) => a.name === username)?.role
    store = setRole(current, username, newRole)
    done = `Changed the role of ${username} from ${before ?? '?'} to ${newRole}; it applies on every manager now`
  } else {
    ctx.prompter.say(sub === 'add' ? `New password for ${username}:` : `Changing the password of ${username}:`)
    const password = await askNewPassword(ctx.prompter, ctx.stdin, ctx.config.passwordStdin)
    store = sub === 'add' ? await addAccount(current, username, password, newRole) : await changePassword(current, username, password)
    done = sub === 'add' ? `Added the account ${username} (${newRole})` : `Changed the password of ${username}; its earlier logins no longer refresh`
  }
  await redeploy(ctx, state, { accounts: await createAccountsVersion(ctx, state, store, state.swarmName ?? '') })
  const report = migrationReport(migrated)
  ctx.stdout.write(`${report === undefined ? '' : `${report}.\n`}${done}.\n`)
}
