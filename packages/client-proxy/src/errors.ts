/** Every failure client-proxy reports, with its stable code. */
import { defineErrors } from '@swarmgate/core'

export const errors = defineErrors({
  SG_ERR_NO_ENDPOINT: { message: 'give at least one server-proxy endpoint with --endpoint host:port' },
  SG_ERR_ENDPOINT_FORMAT: { message: 'an endpoint must look like host:port' },
  SG_ERR_NO_TRUST: { message: 'give --fingerprint sha256:... (printed by registration) or --ca-file to verify the swarm\'s certificate' },
  SG_ERR_NO_CREDENTIALS: { message: 'give --refresh-token-file, or --username with --password-file' },
  SG_ERR_ORIGIN_FORMAT: { message: '--allow-origin must be a web origin such as https://ui.example or http://127.0.0.1:8080 (scheme, host and port only)' },
  SG_ERR_FILE_UNREADABLE: { message: 'cannot read a file client-proxy needs' },
  SG_ERR_LOGIN_REFUSED: { message: 'swarmgate: the swarm refused the login', statusCode: 401 },
  SG_ERR_TOKEN_SERVICE: { message: 'swarmgate: the token service gave an unexpected answer', statusCode: 502 },
  SG_ERR_NOT_LOGGED_IN: { message: 'swarmgate: no valid login for this swarm; run the swarmgate client again to log in', statusCode: 401 },
  SG_ERR_ALL_ENDPOINTS_DOWN: { message: 'swarmgate: no manager of the swarm can take calls now', statusCode: 502 },
  SG_ERR_ENDPOINT_LOST: { message: 'swarmgate: the manager this call went to was lost', statusCode: 502 },
  SG_ERR_EXEC_OWNER_UNREACHABLE: { message: 'swarmgate: the manager that created this exec instance cannot be reached', statusCode: 503 }
})
