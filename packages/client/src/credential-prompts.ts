/**
 * What the client says when it asks for credentials, by the kinds of identity the swarm accepts
 * (identity.ts): Docker Hub's own words for a Docker ID, the swarm's name for its own accounts.
 */
import { DOCKER_ID_PREFIX, type AccountKind } from '@swarmgate/core'

export const DOCKER_ID_HEADER = 'Use your Docker ID credentials to authenticate:'

export interface CredentialPrompts {
  /** Lines said before the username is asked. */
  readonly header: readonly string[]
  /** The password question for `username`. */
  readonly password: (username: string) => string
}

/** The prompts for a swarm named `swarm` that accepts `kinds`. */
export function credentialPrompts (kinds: readonly AccountKind[], swarm: string): CredentialPrompts {
  const dockerId = kinds.includes('docker-id')
  const local = kinds.includes('local') || !dockerId
  if (!dockerId) return { header: [`Log in with your account on the swarm ${swarm}:`], password: () => 'Password' }
  // A Docker ID with two-factor authentication logs in with a personal access token only.
  const secret = 'Password or personal access token'
  if (!local) return { header: [DOCKER_ID_HEADER], password: () => secret }
  return {
    header: [DOCKER_ID_HEADER, `(an account of the swarm ${swarm} works too; ${DOCKER_ID_PREFIX}NAME always means the Docker ID NAME, for one that is also an account's name)`],
    password: (username) => username.startsWith(DOCKER_ID_PREFIX) ? secret : 'Password (or a Docker ID\'s personal access token)'
  }
}
