/** Every failure the client reports, with its stable code. */
import { defineErrors } from '@swarmgate/core'

export const errors = defineErrors({
  SG_ERR_CLIENT_COMMAND: { message: 'unknown command' },
  SG_ERR_CLIENT_SWARM_NAME: { message: 'the swarm name is not valid' },
  SG_ERR_CLIENT_ENDPOINT: { message: 'an --endpoint is not valid' },
  SG_ERR_CLIENT_NO_ENDPOINT: { message: 'no endpoint is known for this swarm' },
  SG_ERR_CLIENT_NO_FINGERPRINT: { message: 'no fingerprint is known for this swarm' },
  SG_ERR_CLIENT_ENGINE_UNREACHABLE: { message: 'cannot reach the local Docker engine' },
  SG_ERR_CLIENT_UNREACHABLE: { message: 'cannot reach the swarm' },
  SG_ERR_CLIENT_LOGIN_REFUSED: { message: 'login refused' },
  SG_ERR_CLIENT_LOGIN_FAILED: { message: 'login failed' },
  SG_ERR_CLIENT_LOGIN_UNAVAILABLE: { message: 'the swarm cannot check the login now' },
  SG_ERR_CLIENT_CONTEXT: { message: 'the docker context cannot be written' },
  SG_ERR_CLIENT_STATE: { message: 'the saved swarms cannot be used' },
  SG_ERR_CLIENT_PROXY_IMAGE: { message: 'the client-proxy image is not available' },
  SG_ERR_CLIENT_PROXY_FAILED: { message: 'the client-proxy container does not work' },
  SG_ERR_CLIENT_PORT_BUSY: { message: 'the proxy\'s local port is taken' },
  SG_ERR_CLIENT_NOT_CONNECTED: { message: 'this engine is not connected to that swarm' }
})
