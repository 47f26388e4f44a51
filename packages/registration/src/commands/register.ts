/**
 * Registration proper: on a new swarm it asks who the owner is (a local account, or a Docker ID
 * checked with Docker Hub) and the cluster name, and creates the identity; on a registered one it
 * keeps keys, certificates and accounts (issuing a new server certificate from the same CA only
 * when a manager or endpoint is not named in the current one) and updates server-proxy to the
 * image given. Either way it ends with the client command. A store written before roles is read
 * once and its "user" accounts become operators. The Docker Hub settings (URL, grace, CA) are the
 * ones given, else the registration's (hub-settings.ts).
 */
import { fingerprintOf, parseSwarmName, SWARM_NAME_RULE, type SwarmNode } from '@swarmgate/core'
import { migrateLegacyRoles, migrationReport } from '../account-edits.js'
import { createAccountsVersion, mayHoldLegacyRoles, readAccountStore } from '../account-store.js'
import { agentSecrets } from '../agent-secrets.js'
import { clientCommand } from '../client-command.js'
import type { Context } from '../context.js'
import { deploy } from '../deploy.js'
import { chooseEndpoints, requiredSans } from '../endpoints.js'
import { errors } from '../errors.js'
import { askOwner, ownerStore, type Owner } from '../first-owner.js'
import { caConfigFor, chooseHub, hubConnection } from '../hub-settings.js'
import { createCa, createServerCert, createSigningKeySet, verifyingKeySet } from '../identity/index.js'
import { DEFAULT_PORT, LABELS } from '../names.js'
import { currentConfig, currentSecret, readState, type RegistrationState } from '../registration-state.js'
import { createVersion, labelComponent, type IdentitySecret } from '../secrets.js'
import { readSecrets } from '../secret-reader.js'
import { readServerProxySettings, type ServerProxySettings } from '../service-spec.js'

async function askClusterName (ctx: Context, username: string): Promise<string> {
  const fallback = `${username}/${ctx.manager.swarmId.toLowerCase()}`
  const name = ctx.config.name ?? (ctx.prompter.interactive
    ? await ctx.prompter.ask('Enter name for the new cluster', { flag: '--name', default: fallback })
    : fallback)
  if (parseSwarmName(name) === undefined) throw errors.SG_ERR_REGISTRATION_NAME(`"${name}" must be ${SWARM_NAME_RULE}`)
  return name
}

/** Endpoints given with --endpoint before are kept when none are given now; defaults follow the managers. */
function chooseEndpointsFor (ctx: Context, previous: ServerProxySettings | undefined, nodes: readonly SwarmNode[], port: number): { endpoints: string[], endpointsGiven: boolean } {
  if (ctx.config.endpoints.length === 0 && previous?.endpointsGiven === true) return { endpoints: [...previous.endpoints], endpointsGiven: true }
  return { endpoints: chooseEndpoints(ctx.config.endpoints, nodes, port), endpointsGiven: ctx.config.endpoints.length > 0 }
}

/**
 * The accounts secret to keep: the current one, or a new version of it when it was written before
 * roles (its "user" accounts migrated, which the returned sentence reports).
 */
async function migratedAccounts (ctx: Context, state: RegistrationState, accounts: IdentitySecret, swarmName: string): Promise<{ secret: IdentitySecret, report: string | undefined }> {
  if (!mayHoldLegacyRoles(accounts)) return { secret: accounts, report: undefined }
  const { store, migrated } = migrateLegacyRoles(await readAccountStore(ctx, state, accounts, ctx.config.image))
  return { secret: await createAccountsVersion(ctx, state, store, swarmName), report: migrationReport(migrated) }
}

/** Runs registration; prints the client command on standard output. */
export async function register (ctx: Context): Promise<void> {
  const { engine, config, prompter } = ctx
  // The engine drops a monitor of 0 and watches for its own default (5 s) instead.
  if (config.updateMonitor === 0) throw errors.SG_ERR_REGISTRATION_COMMAND('--update-monitor must be at least 1s')
  const state = await readState(engine)
  const accounts = currentSecret(state, 'accounts')
  const previous = state.service === undefined ? undefined : readServerProxySettings(state.service.Spec)
  const hub = await chooseHub(ctx, state, previous)
  let swarmName: string
  let owner: Owner | undefined
  if (accounts === undefined || state.swarmName === undefined) {
    owner = await askOwner(ctx, hubConnection(hub))
    swarmName = await askClusterName(ctx, owner.username)
  } else {
    swarmName = state.swarmName
    if (config.name !== undefined && config.name !== swarmName) {
      throw errors.SG_ERR_REGISTRATION_RENAME(`it is registered as ${swarmName}; every token names the swarm, so to use another name run deregister first, then register again`)
    }
    prompter.say(`This swarm is registered as ${swarmName}: keeping its keys, certificates and accounts.`)
    if (config.identity !== undefined) prompter.say('--identity applies to the first registration only; users add NAME --docker-id adds a Docker ID, teams add ORG/TEAM a Docker Hub team.')
  }
  prompter.say('Registering this Docker cluster...')

  const labels = { ...ctx.labels, [LABELS.swarm]: swarmName }
  const nodes = await engine.nodes()
  const port = config.port ?? previous?.port ?? DEFAULT_PORT
  const { endpoints, endpointsGiven } = chooseEndpointsFor(ctx, previous, nodes, port)
  const sans = requiredSans(endpoints, nodes)
  const keep: IdentitySecret[] = []

  let signingText: string | undefined
  const signing = currentSecret(state, 'signing-keys') ?? await createVersion(engine, state.secrets, 'signing-keys', signingText = await createSigningKeySet(), labels)
  keep.push(signing)
  // The node agents' keys (a swarm registered before them has none yet: read the set once to make them).
  let verifying = currentSecret(state, 'verify-keys')
  if (verifying === undefined) {
    signingText ??= (await readSecrets(engine, [signing], { image: config.image, nodeId: ctx.manager.info.Swarm.NodeID, labels, timeoutMs: config.timeout * 1000 })).get(signing.name)
    if (signingText === undefined) throw errors.SG_ERR_REGISTRATION_INCOMPLETE(`the secret ${signing.name} could not be read; deregister and register again`)
    verifying = await createVersion(engine, state.secrets, 'verify-keys', verifyingKeySet(signingText), labels)
  }
  keep.push(verifying)

  let cert = currentSecret(state, 'tls-cert')
  let key = currentSecret(state, 'tls-key')
  let caKey = currentSecret(state, 'ca-key')
  let fingerprint = cert?.labels[LABELS.fingerprint]
  if (cert === undefined || key === undefined || caKey === undefined || fingerprint === undefined) {
    prompter.say('Creating the swarm\'s certificate authority and server certificate')
    const ca = await createCa({ commonName: `swarmgate ${swarmName}` })
    fingerprint = fingerprintOf(ca.certPem)
    const server = await createServerCert(ca, { sans })
    caKey = await createVersion(engine, state.secrets, 'ca-key', ca.keyPem, labels)
    const certLabels = { ...labels, [LABELS.fingerprint]: fingerprint, [LABELS.sans]: sans.join(',') }
    cert = await createVersion(engine, state.secrets, 'tls-cert', server.certPem, certLabels)
    key = await createVersion(engine, state.secrets, 'tls-key', server.keyPem, labels)
  } else {
    const covered = new Set((cert.labels[LABELS.sans] ?? '').split(','))
    const missing = sans.filter((s) => !covered.has(s))
    if (missing.length > 0) {
      prompter.say(`Issuing a new server certificate from the same CA for ${missing.join(', ')} (clients keep their fingerprint)`)
      const read = await readSecrets(engine, [caKey, cert], { image: config.image, nodeId: ctx.manager.info.Swarm.NodeID, labels, timeoutMs: config.timeout * 1000 })
      // The certificate secret holds the server certificate, then the CA.
      const caCertPem = (read.get(cert.name) ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.[1]
      const caKeyPem = read.get(caKey.name)
      if (caCertPem === undefined || caKeyPem === undefined) throw errors.SG_ERR_REGISTRATION_INCOMPLETE(`the secrets ${cert.name} and ${caKey.name} do not hold the CA; deregister and register again`)
      const allSans = [...new Set([...covered, ...sans])].filter((s) => s !== '')
      const server = await createServerCert({ certPem: `${caCertPem}\n`, keyPem: caKeyPem }, { sans: allSans })
      cert = await createVersion(engine, state.secrets, 'tls-cert', server.certPem, { ...labels, [LABELS.fingerprint]: fingerprint, [LABELS.sans]: allSans.join(',') })
      key = await createVersion(engine, state.secrets, 'tls-key', server.keyPem, labels)
    }
  }
  keep.push(cert, key, caKey, ...await agentSecrets(ctx, state, swarmName, labels))

  const { secret: accountSecret, report } = owner === undefined
    ? await migratedAccounts(ctx, state, accounts as IdentitySecret, swarmName)
    : { secret: await createAccountsVersion(ctx, state, await ownerStore(owner), swarmName), report: undefined }
  keep.push(accountSecret)
  for (const secret of keep) await labelComponent(engine, secret)

  await deploy(ctx, state, {
    swarmName,
    image: config.image,
    port,
    endpoints,
    endpointsGiven,
    fingerprint,
    tokenTtl: config.tokenTtl ?? previous?.tokenTtl,
    updateMonitor: config.updateMonitor ?? previous?.updateMonitor,
    dockerHubUrl: hub.url,
    dockerHubGrace: hub.grace,
    secrets: keep,
    configs: [currentConfig(state, 'policy'), await caConfigFor(ctx, state, hub, labels)].filter((c) => c !== undefined),
    force: state.service !== undefined,
    // On unless --node-agents off on a first registration; later, kept as they are unless told.
    nodeAgents: config.nodeAgents === undefined ? (state.service === undefined ? true : undefined) : config.nodeAgents === 'on'
  })

  ctx.stdout.write([
    ...report === undefined ? [] : [`${report}.`],
    `Successfully registered the swarm as ${swarmName}`,
    'You can now access this cluster using the following command in any Docker Engine:',
    `    ${clientCommand(swarmName, endpoints, fingerprint)}`,
    ''
  ].join('\n'))
}
