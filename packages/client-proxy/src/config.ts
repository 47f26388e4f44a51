/**
 * client-proxy's flags and environment, declared once. The client container passes them as
 * environment variables and the refresh token as a file in its volume, so `docker inspect` of the
 * proxy container never shows a credential.
 */
import { defineProgram, packageVersion, LOG_LEVELS, type Config } from '@swarmgate/core'

const version = packageVersion(import.meta.url)

export const program = defineProgram({
  name: 'swarmgate-client-proxy',
  version,
  summary: 'Local Docker endpoint for the docker CLI: adds a swarmgate token to every call and forwards it over pinned TLS to a manager of the swarm.',
  usage: 'swarmgate-client-proxy --swarm NS/NAME --endpoint HOST:PORT [--endpoint ...] (--fingerprint sha256:... | --ca-file FILE) [options]\n       swarmgate-client-proxy healthcheck [options]',
  options: {
    swarm: { kind: 'string', flag: '--swarm', env: 'SWARMGATE_SWARM', required: true, value: 'NS/NAME', help: 'Name of the swarm (the token audience), such as alice/prod' },
    endpoints: { kind: 'list', flag: '--endpoint', env: 'SWARMGATE_ENDPOINTS', value: 'HOST:PORT', help: 'A server-proxy endpoint; give one per manager, they are tried in order' },
    fingerprint: { kind: 'string', flag: '--fingerprint', env: 'SWARMGATE_FINGERPRINT', value: 'sha256:HEX', help: 'Pinned SHA-256 fingerprint of the swarm\'s CA or server certificate' },
    caFile: { kind: 'string', flag: '--ca-file', env: 'SWARMGATE_CA_FILE', value: 'FILE', help: 'PEM CA bundle to verify the server with instead of a fingerprint' },
    refreshTokenFile: { kind: 'string', flag: '--refresh-token-file', env: 'SWARMGATE_REFRESH_TOKEN_FILE', value: 'FILE', help: 'File holding the refresh token to get access tokens with' },
    username: { kind: 'string', flag: '--username', env: 'SWARMGATE_USERNAME', help: 'Account name, when logging in with a password instead of a refresh token' },
    passwordFile: { kind: 'string', flag: '--password-file', env: 'SWARMGATE_PASSWORD_FILE', value: 'FILE', help: 'File holding the password for --username' },
    host: { kind: 'string', flag: '--host', env: 'SWARMGATE_LISTEN_HOST', default: '127.0.0.1', value: 'ADDR', help: 'Address to listen on; anything but loopback is warned about' },
    port: { kind: 'port', flag: '--port', env: 'SWARMGATE_LISTEN_PORT', default: 2375, help: 'Port to listen on (0 picks a free one)' },
    socket: { kind: 'string', flag: '--socket', env: 'SWARMGATE_LISTEN_SOCKET', value: 'PATH', help: 'Also listen on this unix socket (owner only): with DOCKER_HOST=unix://PATH the docker CLI can detach with ctrl-p ctrl-q, which it cannot over tcp://' },
    relay: { kind: 'boolean', flag: '--relay', env: 'SWARMGATE_RELAY', default: true, help: 'Relay calls as bytes on a connection pinned to one manager connection, handing to the full path only what needs it (issue 14); --relay=off sends every call through the full path' },
    allowOrigin: { kind: 'string', flag: '--allow-origin', env: 'SWARMGATE_ALLOW_ORIGIN', value: 'ORIGIN', help: 'Let requests from this one web origin through (a web UI you run on purpose, such as https://ui.example); requests from every other web page are refused' },
    refreshMargin: { kind: 'seconds', flag: '--refresh-margin', env: 'SWARMGATE_REFRESH_MARGIN', default: 60, value: 'DURATION', help: 'Renew the access token this long before it expires' },
    logLevel: { kind: 'string', flag: '--log-level', env: 'SWARMGATE_LOG_LEVEL', default: 'info', choices: LOG_LEVELS, help: 'Log level' },
    logBatch: { kind: 'boolean', flag: '--log-batch', env: 'SWARMGATE_LOG_BATCH', default: true, help: 'Write log lines to standard output in batches, when 4 KiB have gathered or 100 ms after the first; --log-batch=off writes each line as it comes, at a thread wake-up per line' }
  },
  epilog: 'Commands:\n  healthcheck   Ask the running client-proxy (same --host and --port) whether it holds a valid token; exit 0 if so'
})

export type ClientProxyConfig = Config<typeof program.options>
