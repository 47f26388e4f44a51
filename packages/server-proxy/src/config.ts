/**
 * server-proxy's flags and environment, declared once. In the swarm service every file comes from
 * a swarm secret mounted under /run/secrets (registration sets the environment to match).
 */
import { defineProgram, packageVersion, LOG_LEVELS, type Config } from '@swarmgate/core'

const version = packageVersion(import.meta.url)

/** The longest access-token lifetime server-proxy accepts (issue #3: at most 15 minutes). */
export const MAX_TOKEN_TTL = 15 * 60

export const program = defineProgram({
  name: 'swarmgate-server-proxy',
  version,
  summary: 'Authenticating TLS proxy in front of a swarm manager\'s Docker engine: issues tokens for valid credentials and forwards every Docker API call that carries a valid token to the local engine socket.',
  usage: 'swarmgate-server-proxy [options]\n       swarmgate-server-proxy healthcheck [options]',
  options: {
    host: { kind: 'string', flag: '--host', env: 'SWARMGATE_HOST', default: '0.0.0.0', value: 'ADDR', help: 'Address to listen on' },
    port: { kind: 'port', flag: '--port', env: 'SWARMGATE_PORT', default: 2376, help: 'Port to listen on (0 picks a free one)' },
    tlsCert: { kind: 'string', flag: '--tls-cert', env: 'SWARMGATE_TLS_CERT', default: '/run/secrets/swarmgate-tls-cert', value: 'FILE', help: 'PEM certificate chain served to clients (server certificate first, then the CA)' },
    tlsKey: { kind: 'string', flag: '--tls-key', env: 'SWARMGATE_TLS_KEY', default: '/run/secrets/swarmgate-tls-key', value: 'FILE', help: 'PEM private key of the server certificate' },
    relay: { kind: 'boolean', flag: '--relay', env: 'SWARMGATE_RELAY', default: true, help: 'Relay calls whose decision needs only their head as bytes on a connection pinned to one engine connection (issue 14); --relay=off sends every call through the full path' },
    nodeAgent: { kind: 'boolean', flag: '--node-agent', env: 'SWARMGATE_NODE_AGENT', help: 'Run as a node agent (registration runs one on every node): TLS with --tls-cert and --tls-key on the overlay network, serving only calls a manager asserts for --node-id, decided by the same policy; no token service, no account store, no Docker Hub' },
    nodeId: { kind: 'string', flag: '--node-id', env: 'SWARMGATE_NODE_ID', value: 'ID', help: 'With --node-agent: the swarm node ID this agent serves (registration sets the task\'s node); assertions for any other node are refused' },
    nodeAgentCa: { kind: 'string', flag: '--node-agent-ca', env: 'SWARMGATE_NODE_AGENT_CA', value: 'FILE', help: 'PEM CA of the node agents\' certificate, pinned for calls addressed to other nodes (registration mounts it; without it such calls are refused)' },
    insecureHttp: { kind: 'boolean', flag: '--insecure-http', env: 'SWARMGATE_INSECURE_HTTP', help: 'Serve plain HTTP instead of TLS (for tests behind another TLS hop only; never the default)' },
    signingKeys: { kind: 'string', flag: '--signing-keys', env: 'SWARMGATE_SIGNING_KEYS', default: '/run/secrets/swarmgate-signing-keys', value: 'FILE', help: 'JSON Web Key Set with the private token signing keys; the first key signs, the others only verify' },
    accounts: { kind: 'string', flag: '--accounts', env: 'SWARMGATE_ACCOUNTS', default: '/run/secrets/swarmgate-accounts', value: 'FILE', help: 'Account store (JSON) with the accounts allowed to get tokens' },
    policy: { kind: 'string', flag: '--policy', env: 'SWARMGATE_POLICY', value: 'FILE', help: 'Policy document (YAML, docs/authorization.md): custom roles, modes, allowlists; without it the built-in roles apply, enforced' },
    swarmName: { kind: 'string', flag: '--swarm-name', env: 'SWARMGATE_SWARM_NAME', required: true, value: 'NS/NAME', help: 'Name of this swarm, such as alice/prod: the audience of every token' },
    issuer: { kind: 'string', flag: '--issuer', env: 'SWARMGATE_ISSUER', default: 'swarmgate', help: 'Issuer claim of the tokens' },
    tokenTtl: { kind: 'seconds', flag: '--token-ttl', env: 'SWARMGATE_TOKEN_TTL', default: MAX_TOKEN_TTL, value: 'DURATION', help: 'Access token lifetime, at most 15m' },
    refreshTtl: { kind: 'seconds', flag: '--refresh-ttl', env: 'SWARMGATE_REFRESH_TTL', default: 30 * 86400, value: 'DURATION', help: 'Refresh token lifetime' },
    clockSkew: { kind: 'seconds', flag: '--clock-skew', env: 'SWARMGATE_CLOCK_SKEW', default: 30, value: 'DURATION', help: 'Clock difference tolerated when checking token times' },
    dockerHubUrl: { kind: 'string', flag: '--docker-hub-url', env: 'SWARMGATE_DOCKER_HUB_URL', default: 'https://hub.docker.com', value: 'URL', help: 'Docker Hub, or a compatible service, that checks Docker ID logins and team membership (https)' },
    dockerHubCa: { kind: 'string', flag: '--docker-hub-ca', env: 'SWARMGATE_DOCKER_HUB_CA', value: 'FILE', help: 'PEM CA to trust for --docker-hub-url instead of the system\'s' },
    dockerHubTimeout: { kind: 'seconds', flag: '--docker-hub-timeout', env: 'SWARMGATE_DOCKER_HUB_TIMEOUT', default: 10, value: 'DURATION', help: 'The most one Docker Hub check may take' },
    dockerHubGrace: { kind: 'seconds', flag: '--docker-hub-grace', env: 'SWARMGATE_DOCKER_HUB_GRACE', default: 3600, value: 'DURATION', help: 'While Docker Hub cannot answer, a team login still refreshes this long after its last good check (0: never)' },
    advertiseEndpoints: { kind: 'list', flag: '--advertise-endpoint', env: 'SWARMGATE_ADVERTISE_ENDPOINTS', value: 'HOST:PORT', help: 'Where clients reach the swarm\'s server-proxies, told to client-proxy (repeat per manager); by default what registration printed, or each manager\'s address with the published port' },
    engineSocket: { kind: 'string', flag: '--engine-socket', env: 'SWARMGATE_ENGINE_SOCKET', default: '/var/run/docker.sock', value: 'PATH', help: 'Unix socket of the local Docker engine' },
    // Connection guards (issue 11), for connections that have not yet shown a valid token. A
    // client on a slow mobile link completes a TLS handshake in well under a second and sends a
    // head of a few hundred bytes in one packet, so 10 s is generous for both; 30 s of silence
    // covers a person typing a password between connecting and sending. 64 per source is far
    // more than one docker CLI or client-proxy opens at once (they reuse kept-alive connections),
    // and a NAT gateway in front of an office still fits; 4,096 in all is a fifth of the task's
    // 20,000 open files, so authenticated clients (never counted) always find room.
    handshakeTimeout: { kind: 'seconds', flag: '--handshake-timeout', env: 'SWARMGATE_HANDSHAKE_TIMEOUT', default: 10, value: 'DURATION', help: 'TLS handshake deadline after a connection is accepted (0: none)' },
    headTimeout: { kind: 'seconds', flag: '--head-timeout', env: 'SWARMGATE_HEAD_TIMEOUT', default: 10, value: 'DURATION', help: 'Deadline from a request\'s first byte to its complete head, on connections not yet authenticated (0: none)' },
    unauthenticatedIdle: { kind: 'seconds', flag: '--unauthenticated-idle', env: 'SWARMGATE_UNAUTHENTICATED_IDLE', default: 30, value: 'DURATION', help: 'Close a connection not yet authenticated after this long without a byte either way (0: never)' },
    unauthenticatedPerSource: { kind: 'integer', flag: '--unauthenticated-per-source', env: 'SWARMGATE_UNAUTHENTICATED_PER_SOURCE', default: 64, value: 'COUNT', help: 'Connections not yet authenticated one source address may hold; more are closed at once (0: no cap)' },
    unauthenticatedMax: { kind: 'integer', flag: '--unauthenticated-max', env: 'SWARMGATE_UNAUTHENTICATED_MAX', default: 4096, value: 'COUNT', help: 'Connections not yet authenticated all sources may hold; authenticated ones never count (0: no cap)' },
    // Within the service's 30 s stop grace period (registration's service spec), with room for a
    // loaded manager to cut what is left and exit before the swarm kills the task.
    drainTimeout: { kind: 'seconds', flag: '--drain-timeout', env: 'SWARMGATE_DRAIN_TIMEOUT', default: 20, value: 'DURATION', help: 'On SIGTERM or SIGINT, how long calls in flight (streams, hijacked sessions) may go on while no new connection is accepted; what is still open then is cut' },
    metricsAddress: { kind: 'string', flag: '--metrics-address', env: 'SWARMGATE_METRICS_ADDRESS', value: 'HOST:PORT', help: 'Serve Prometheus metrics over plain HTTP at http://HOST:PORT/metrics, apart from the public port and without authentication (default: not served)' },
    logLevel: { kind: 'string', flag: '--log-level', env: 'SWARMGATE_LOG_LEVEL', default: 'info', choices: LOG_LEVELS, help: 'Log level' },
    logBatch: { kind: 'boolean', flag: '--log-batch', env: 'SWARMGATE_LOG_BATCH', default: true, help: 'Write log lines (an audit line per call) to standard output in batches, when 4 KiB have gathered or 100 ms after the first; --log-batch=off writes each line as it comes, so that not even a SIGKILL loses one, at a thread wake-up per call' }
  },
  epilog: 'Commands:\n  healthcheck   Ask the running server-proxy (same --port and TLS settings) whether it is healthy; exit 0 if so'
})

export type ServerConfig = Config<typeof program.options>
