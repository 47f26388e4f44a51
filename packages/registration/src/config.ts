/**
 * registration's flags and environment, declared once. Every question it asks has a flag here, so
 * it runs without a terminal; passwords come from standard input (--password-stdin), never a flag.
 */
import { defineProgram, engineConnectionOptions, packageVersion, type Config } from '@swarmgate/core'

const version = packageVersion(import.meta.url)

export const program = defineProgram({
  name: 'swarmgate-registration',
  version,
  summary: 'Registers this Docker swarm with swarmgate: creates its identity (token signing keys, TLS certificates, the first account) as swarm secrets, deploys server-proxy as a global service on the managers, waits until it runs, and prints the command clients run. Run it on a manager with the engine socket mounted.',
  usage: 'docker run -ti --rm -v /var/run/docker.sock:/var/run/docker.sock swarmgate/registration [command] [options]',
  options: {
    username: { kind: 'string', flag: '--username', env: 'SWARMGATE_USERNAME', value: 'NAME', help: 'Account name: the swarm\'s owner on the first registration (a Docker ID or its e-mail with --identity docker-id), the account to change with users' },
    passwordStdin: { kind: 'boolean', flag: '--password-stdin', help: 'Read the password (or personal or organization access token) from standard input instead of asking' },
    name: { kind: 'string', flag: '--name', env: 'SWARMGATE_SWARM_NAME', value: 'NS/NAME', help: 'Name of the cluster, such as alice/prod (default: <username>/<swarm id>)' },
    endpoints: { kind: 'list', flag: '--endpoint', env: 'SWARMGATE_ENDPOINTS', value: 'HOST[:PORT]', help: 'Address clients use to reach a manager; give one per manager (default: the managers\' advertise addresses)' },
    port: { kind: 'port', flag: '--port', env: 'SWARMGATE_PORT', help: 'Port server-proxy publishes on every manager (default: 2376, or what the registration used before)' },
    image: { kind: 'string', flag: '--image', env: 'SWARMGATE_IMAGE', default: `swarmgate/server-proxy:${version}`, value: 'IMAGE', help: 'server-proxy image to run' },
    identity: { kind: 'string', flag: '--identity', env: 'SWARMGATE_IDENTITY', choices: ['local', 'docker-id'], value: 'local|docker-id', help: 'First registration: the owner is a local account of this swarm (password kept as a hash) or a Docker ID checked with Docker Hub (asked on a terminal; default local)' },
    dockerId: { kind: 'boolean', flag: '--docker-id', help: 'users add: the account is a Docker ID, checked with Docker Hub at login (no password asked or kept)' },
    dockerHubUrl: { kind: 'string', flag: '--docker-hub-url', env: 'SWARMGATE_DOCKER_HUB_URL', value: 'URL', help: 'Docker Hub, or a compatible service, that checks Docker IDs and teams (https; default https://hub.docker.com, or what the registration used before)' },
    dockerHubCa: { kind: 'string', flag: '--docker-hub-ca', env: 'SWARMGATE_DOCKER_HUB_CA', value: 'FILE', help: 'PEM CA to trust for --docker-hub-url instead of the system\'s, a file mounted into this container (none: the system\'s again; default: what the registration used before)' },
    dockerHubGrace: { kind: 'seconds', flag: '--docker-hub-grace', env: 'SWARMGATE_DOCKER_HUB_GRACE', value: 'DURATION', help: 'While Docker Hub cannot answer, a Docker ID login still refreshes this long after its last good check (default 1h, or what the registration used before)' },
    nodeAgents: { kind: 'string', flag: '--node-agents', env: 'SWARMGATE_NODE_AGENTS', choices: ['on', 'off'], value: 'on|off', help: 'Run a node agent on every node, workers included, so calls can be addressed to any node (docs/protocol.md, "Every node"); on at the first registration, later what the registration used before; off removes the agents' },
    role: { kind: 'string', flag: '--role', env: 'SWARMGATE_ROLE', default: 'operator', value: 'ROLE', help: 'Role of an account made with users add or a team mapped with teams add: owner, operator, viewer or a custom role of the policy document' },
    account: { kind: 'string', flag: '--account', value: 'NAME', help: 'audit: only the lines of this account' },
    since: { kind: 'seconds', flag: '--since', value: 'DURATION', help: 'audit: only the lines of the last DURATION, such as 90s, 15m, 1h or 30d (default: every line the engine kept)' },
    denied: { kind: 'boolean', flag: '--denied', help: 'audit: only the refused calls (deny, and would-deny of roles in audit mode)' },
    yes: { kind: 'boolean', flag: '--yes', short: '-y', env: 'SWARMGATE_YES', help: 'Do not ask for confirmation (deregister)' },
    labels: { kind: 'list', flag: '--label', env: 'SWARMGATE_LABELS', value: 'KEY=VALUE', help: 'Extra label for every object registration creates' },
    timeout: { kind: 'seconds', flag: '--timeout', env: 'SWARMGATE_TIMEOUT', default: 180, value: 'DURATION', help: 'How long to wait for server-proxy to run on every manager' },
    updateMonitor: { kind: 'seconds', flag: '--update-monitor', env: 'SWARMGATE_UPDATE_MONITOR', value: 'DURATION', help: 'How long the swarm watches each updated server-proxy task before an update is done (a task failing meanwhile rolls it back), at least 1s (default 15s, or what the registration used before); shorter is for tests' },
    tokenTtl: { kind: 'seconds', flag: '--token-ttl', env: 'SWARMGATE_TOKEN_TTL', value: 'DURATION', help: 'Access token lifetime server-proxy issues (default: server-proxy\'s, 15m); shorter lifetimes are for tests' },
    ...engineConnectionOptions('Engine to register (default: the mounted socket unix:///var/run/docker.sock)')
  },
  epilog: [
    'Commands:',
    '  (none)                 Register this swarm, or update a registered one to --image (keeps keys, certificates and accounts)',
    '  status                 Show the registration: name, fingerprint, endpoints, server-proxy on each manager',
    '  deregister             Remove server-proxy, its network, every swarmgate secret and config (asks unless --yes)',
    '  users ls               List the accounts, their kinds (local, docker-id) and roles',
    '  users add NAME         Add an account (--role owner|operator|viewer|<custom>, default operator); asks for its password twice',
    '  users add NAME --docker-id  Add the Docker ID NAME as an account (no password: Docker Hub checks it at login)',
    '  users set-role NAME ROLE  Give an account another role; applies on every manager once server-proxy has rolled over',
    '  users passwd NAME      Change a local account\'s password; its refresh tokens stop working',
    '  users rm NAME          Remove an account; its refresh tokens stop working',
    '  hub-token ORG          Check a Docker Hub organization access token with Docker Hub and keep it (asked, or --password-stdin); teams need one',
    '  teams ls               List the Docker Hub teams mapped to roles, and whether their organization has a token',
    '  teams add ORG/TEAM     Give every member of the Docker Hub team a role (--role, default operator); checks the team with Docker Hub',
    '  teams rm ORG/TEAM      Remove the team\'s role; its members\' logins no longer refresh',
    '  policy show            Print the policy document in force (none: the built-in roles apply)',
    '  policy check FILE      Validate a policy document (FILE - reads standard input; mount FILE into the container)',
    '  policy set FILE        Validate it, store it as the next swarmgate-policy-v<N> config and roll server-proxy over to it',
    '  audit                  Print server-proxy\'s audit lines from every manager (--account NAME, --since DURATION, --denied)'
  ].join('\n')
})

export type RegistrationConfig = Config<typeof program.options>
