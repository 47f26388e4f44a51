/**
 * The node agents' TLS identity as swarm secrets (identity/agent-identity.ts): the CA certificate
 * server-proxy pins, the agents' certificate and key. Kept as they are on later runs; made anew,
 * all three, when one is missing (their CA's key is never kept, so no part can be reissued alone).
 */
import type { Labels } from '@swarmgate/core'
import type { Context } from './context.js'
import { createAgentIdentity } from './identity/index.js'
import type { SecretKind } from './names.js'
import { currentSecret, type RegistrationState } from './registration-state.js'
import { createVersion, type IdentitySecret } from './secrets.js'

const KINDS = ['agent-ca', 'agent-cert', 'agent-key'] as const satisfies readonly SecretKind[]

/** The agents' three secrets, created when any is missing. */
export async function agentSecrets (ctx: Context, state: RegistrationState, swarmName: string, labels: Labels): Promise<IdentitySecret[]> {
  const current = KINDS.map((kind) => currentSecret(state, kind))
  if (current.every((s) => s !== undefined)) return current
  ctx.prompter.say('Creating the node agents\' certificate authority and certificate')
  const identity = await createAgentIdentity(swarmName)
  const pem: Record<typeof KINDS[number], string> = { 'agent-ca': identity.caPem, 'agent-cert': identity.certPem, 'agent-key': identity.keyPem }
  const made: IdentitySecret[] = []
  for (const kind of KINDS) made.push(await createVersion(ctx.engine, state.secrets, kind, pem[kind], labels))
  return made
}
