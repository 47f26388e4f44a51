/** Every failure registration reports, with its stable code. */
import { defineErrors } from '@swarmgate/core'

export const errors = defineErrors({
  SG_ERR_REGISTRATION_NOT_SWARM: { message: 'this Docker engine is not part of a swarm' },
  SG_ERR_REGISTRATION_NOT_MANAGER: { message: 'this node is not a swarm manager' },
  SG_ERR_REGISTRATION_ENGINE_UNREACHABLE: { message: 'cannot reach the Docker engine' },
  SG_ERR_REGISTRATION_ENGINE_TOO_OLD: { message: 'this Docker engine is too old for swarmgate' },
  SG_ERR_REGISTRATION_NAME: { message: 'the cluster name is not valid' },
  SG_ERR_REGISTRATION_RENAME: { message: 'this swarm is already registered under another name' },
  SG_ERR_REGISTRATION_USERNAME: { message: 'the username is not valid' },
  SG_ERR_REGISTRATION_PASSWORD: { message: 'the password is not acceptable' },
  SG_ERR_REGISTRATION_ENDPOINT: { message: 'an --endpoint is not valid' },
  SG_ERR_REGISTRATION_NOT_REGISTERED: { message: 'this swarm is not registered with swarmgate' },
  SG_ERR_REGISTRATION_INCOMPLETE: { message: 'the registration of this swarm is incomplete' },
  SG_ERR_REGISTRATION_NOT_CONVERGED: { message: 'server-proxy did not start on every manager in time' },
  SG_ERR_REGISTRATION_READER: { message: 'cannot read the swarmgate secrets' },
  SG_ERR_REGISTRATION_ACCOUNT: { message: 'the account change is not possible' },
  SG_ERR_REGISTRATION_ROLE: { message: 'the role is not known on this swarm' },
  SG_ERR_REGISTRATION_POLICY_FILE: { message: 'cannot read the policy document' },
  SG_ERR_REGISTRATION_IDENTITY: { message: 'the identity of the swarm\'s accounts is not known' },
  SG_ERR_REGISTRATION_DOCKER_ID: { message: 'Docker Hub refused the Docker ID' },
  SG_ERR_REGISTRATION_HUB_UNAVAILABLE: { message: 'Docker Hub cannot answer now' },
  SG_ERR_REGISTRATION_HUB_URL: { message: 'the Docker Hub URL is not valid' },
  SG_ERR_REGISTRATION_HUB_CA: { message: 'cannot use the Docker Hub CA file' },
  SG_ERR_REGISTRATION_HUB_TOKEN: { message: 'the organization access token is not usable' },
  SG_ERR_REGISTRATION_TEAM: { message: 'the team change is not possible' },
  SG_ERR_REGISTRATION_COMMAND: { message: 'unknown command' },
  SG_ERR_REGISTRATION_ABORTED: { message: 'nothing was changed' }
})
