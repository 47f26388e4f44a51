/**
 * `users ls|add|passwd|rm`: the account store is a secret, so a change reads the current store
 * (through the secret reader), writes it as a new secret version and rolls server-proxy over to
 * it. Refresh tokens carry the account's stamp, which a new password or removal changes: from
 * then on they are refused, and the user's proxies stop once their access token expires.
 */
import { parseAccountStore, serializeAccountStore, type Account, type AccountStore } from '@swarmgate/core'
import { addAccount, changePassword, removeAccount } from '../account-edits.js'
import type { Context } from '../context.js'
import { askNewPassword, askUsername } from '../credentials.js'
import { deploy } from '../deploy.js'
import { errors } from '../errors.js'
import { LABELS, type SecretKind } from '../names.js'
import { currentSecret, readState, type RegistrationState } from '../registration-state.js'
import { readSecrets } from '../secret-reader.js'
import { createVersion, type IdentitySecret } from '../secrets.js'
import { readServerProxySettings } from '../service-spec.js'

const KINDS: readonly SecretKind[] = ['signing-keys', 'tls-cert', 'tls-key', 'ca-key']

interface Registered {
  readonly state: RegistrationState
  readonly accounts: IdentitySecret
  readonly store: AccountStore
}

async function readRegistered (ctx: Context): Promise<Registered> {
  const state = await readState(ctx.engine)
  const accounts = currentSecret(state, 'accounts')
  if (state.service === undefined || accounts === undefined) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('run swarmgate/registration first')
  const read = await readSecrets(ctx.engine, [accounts], {
    image: state.service.Spec.TaskTemplate.ContainerSpec.Image,
    nodeId: ctx.manager.info.Swarm.NodeID,
    labels: { ...ctx.labels, [LABELS.swarm]: state.swarmName ?? '' },
    timeoutMs: ctx.config.timeout * 1000
  })
  return { state, accounts, store: parseAccountStore(read.get(accounts.name) ?? '') }
}

async function writeStore (ctx: Context, { state }: Registered, store: AccountStore): Promise<void> {
  const settings = state.service === undefined ? undefined : readServerProxySettings(state.service.Spec)
  if (settings === undefined) throw errors.SG_ERR_REGISTRATION_INCOMPLETE('the server-proxy service has lost its swarmgate labels; run registration again')
  const keep = KINDS.map((k) => currentSecret(state, k))
  if (keep.some((s) => s === undefined)) throw errors.SG_ERR_REGISTRATION_INCOMPLETE('a swarmgate secret is missing; run registration again')
  const accounts = await createVersion(ctx.engine, state.secrets, 'accounts', serializeAccountStore(store), { ...ctx.labels, [LABELS.swarm]: settings.swarmName })
  await deploy(ctx, state, { ...settings, secrets: [...keep as IdentitySecret[], accounts], force: false })
}

function table (accounts: readonly Account[]): string {
  const rows = [['NAME', 'ROLE', 'STATE'], ...accounts.map((a) => [a.name, a.role, a.state])]
  const width = Math.max(...rows.map((r) => (r[0] as string).length)) + 2
  return rows.map((r) => `${(r[0] as string).padEnd(width)}${(r[1] as string).padEnd(7)}${r[2] as string}`).join('\n') + '\n'
}

/** Runs `users <sub> [name]`. */
export async function users (ctx: Context, args: readonly string[]): Promise<void> {
  const [sub, name, ...extra] = args
  if (extra.length > 0) throw errors.SG_ERR_REGISTRATION_COMMAND(`users ${args.join(' ')}: too many arguments`)
  if (sub === 'ls') {
    ctx.stdout.write(table((await readRegistered(ctx)).store.accounts))
    return
  }
  if (sub !== 'add' && sub !== 'rm' && sub !== 'passwd') {
    throw errors.SG_ERR_REGISTRATION_COMMAND(`users ${sub ?? ''}: use users ls, users add NAME, users passwd NAME or users rm NAME`)
  }
  const username = await askUsername(ctx.prompter, name ?? ctx.config.username)
  const registered = await readRegistered(ctx)
  let store: AccountStore
  if (sub === 'rm') {
    store = removeAccount(registered.store, username)
  } else {
    ctx.prompter.say(sub === 'add' ? `New password for ${username}:` : `Changing the password of ${username}:`)
    const password = await askNewPassword(ctx.prompter, ctx.stdin, ctx.config.passwordStdin)
    store = sub === 'add'
      ? await addAccount(registered.store, username, password, ctx.config.role as Account['role'])
      : await changePassword(registered.store, username, password)
  }
  await writeStore(ctx, registered, store)
  const done = { add: `Added the account ${username} (${ctx.config.role})`, passwd: `Changed the password of ${username}; its earlier logins no longer refresh`, rm: `Removed the account ${username}; its logins no longer refresh` }[sub]
  ctx.stdout.write(`${done}.\n`)
}
