/**
 * The node agents' TLS identity (docs/decisions.md 10): a CA of their own, never the one clients
 * pin, and one server certificate for the name every agent answers to (core
 * NODE_AGENT_SERVER_NAME), since overlay addresses change with every task. The CA signs this one
 * certificate and its key is then dropped: nothing is left that could issue another agent
 * certificate; when one of the three secrets is missing, registration makes all three again.
 */
import { NODE_AGENT_SERVER_NAME } from '@swarmgate/core'
import { createCa } from './ca.js'
import { createServerCert } from './server-cert.js'

/** What registration keeps of the agents' identity, as PEM. */
export interface AgentIdentity {
  /** The CA certificate server-proxy pins. */
  readonly caPem: string
  /** The agents' certificate (then the CA) and key. */
  readonly certPem: string
  readonly keyPem: string
}

/** Lives as long as the CA: there is no key left to reissue it with, and registration makes a new identity whenever a part is missing. */
const VALID_DAYS = 20 * 365

/** A new agents' CA and certificate; the CA's key is not returned. */
export async function createAgentIdentity (swarmName: string): Promise<AgentIdentity> {
  const ca = await createCa({ commonName: `swarmgate node agents ${swarmName}`, validDays: VALID_DAYS })
  const server = await createServerCert(ca, { sans: [NODE_AGENT_SERVER_NAME], validDays: VALID_DAYS })
  return { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem }
}
