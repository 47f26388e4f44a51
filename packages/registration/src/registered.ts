/**
 * A registered swarm as the commands that change its accounts see it (users, teams, hub-token):
 * the registration's state with its service and accounts secret, the account store behind it and
 * how a change to it is made, the roles its policy document allows, and the Docker Hub it was
 * registered with.
 */
import type { AccountStore, Service } from '@swarmgate/core'
import { migrateLegacyRoles, migrationReport } from './account-edits.js'
import { createAccountsVersion, readAccountStore } from './account-store.js'
import type { Context } from './context.js'
import { redeploy } from './deploy.js'
import { DEFAULT_DOCKER_HUB_URL, type HubConnection } from './docker-hub.js'
import { errors } from './errors.js'
import { currentConfig, currentSecret, readState, type RegistrationState } from './registration-state.js'
import { checkRole } from './role-names.js'
import type { IdentitySecret } from './secrets.js'
import { readServerProxySettings } from './service-spec.js'
import { readPolicyDocument, readSwarmConfig } from './swarm-configs.js'

export interface Registered {
  readonly state: RegistrationState
  readonly service: Service
  readonly accounts: IdentitySecret
}

/** The registration; throws SG_ERR_REGISTRATION_NOT_REGISTERED when the swarm has none. */
export async function readRegistered (ctx: Context): Promise<Registered> {
  const state = await readState(ctx.engine)
  const accounts = currentSecret(state, 'accounts')
  if (state.service === undefined || accounts === undefined) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('run swarmgate/registration first')
  return { state, service: state.service, accounts }
}

/** The store, read by a reader task running server-proxy's image (it has node). */
export async function readStore (ctx: Context, { state, service, accounts }: Registered): Promise<AccountStore> {
  return await readAccountStore(ctx, state, accounts, service.Spec.TaskTemplate.ContainerSpec.Image)
}

/**
 * Reads the store, makes its legacy "user" accounts operators, applies `change`, writes the result
 * as the next accounts version and rolls server-proxy over to it. Returns the migration's report
 * line ('' when nothing was migrated). When `change` throws, nothing is written.
 */
export async function changeStore (ctx: Context, registered: Registered, change: (store: AccountStore) => Promise<AccountStore> | AccountStore): Promise<string> {
  const { store, migrated } = migrateLegacyRoles(await readStore(ctx, registered))
  const changed = await change(store)
  const { state } = registered
  await redeploy(ctx, state, { accounts: await createAccountsVersion(ctx, state, changed, state.swarmName ?? '') })
  const report = migrationReport(migrated)
  return report === undefined ? '' : `${report}.\n`
}

/** Throws SG_ERR_REGISTRATION_ROLE unless `role` is built in or defined by the swarm's policy document. */
export async function checkRoleOnSwarm (ctx: Context, state: RegistrationState, role: string): Promise<void> {
  checkRole(role, await readPolicyDocument(ctx.engine, currentConfig(state, 'policy')))
}

/** The Docker Hub server-proxy asks: its URL from the service's settings, its CA from the config it mounts. */
export async function registeredHub (ctx: Context, { state, service }: Registered): Promise<HubConnection> {
  const ca = currentConfig(state, 'docker-hub-ca')
  return {
    url: readServerProxySettings(service.Spec)?.dockerHubUrl ?? DEFAULT_DOCKER_HUB_URL,
    ca: ca === undefined ? undefined : await readSwarmConfig(ctx.engine, ca)
  }
}
