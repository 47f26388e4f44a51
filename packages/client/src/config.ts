/**
 * client's flags and environment, declared once. Every question it asks has a flag here, so it
 * runs without a terminal; the password comes from standard input (--password-stdin), never a flag.
 */
import { defineProgram, engineConnectionOptions, packageVersion, type Config } from '@swarmgate/core'

const version = packageVersion(import.meta.url)

export const program = defineProgram({
  name: 'swarmgate-client',
  version,
  summary: 'Connects this Docker engine\'s docker CLI to a registered swarm: logs in (or reuses the saved login), starts or reuses the local client-proxy container, and prints the export DOCKER_HOST=... line.',
  usage: 'docker run --rm -ti -v /var/run/docker.sock:/var/run/docker.sock [-v ~/.docker:/root/.docker] -e DOCKER_HOST swarmgate/client NS/NAME [--endpoint HOST:PORT ...] [--fingerprint sha256:...] [options]\n       ... swarmgate/client ls\n       ... swarmgate/client rm NS/NAME',
  options: {
    endpoints: { kind: 'list', flag: '--endpoint', env: 'SWARMGATE_ENDPOINTS', value: 'HOST[:PORT]', help: 'A manager\'s server-proxy, as registration printed it (default port 2376); remembered for the next run' },
    fingerprint: { kind: 'string', flag: '--fingerprint', env: 'SWARMGATE_FINGERPRINT', value: 'sha256:HEX', help: 'The swarm\'s certificate fingerprint, as registration printed it; remembered for the next run' },
    username: { kind: 'string', flag: '--username', env: 'SWARMGATE_USERNAME', value: 'NAME', help: 'Account to log in with (asked when there is no saved login)' },
    passwordStdin: { kind: 'boolean', flag: '--password-stdin', help: 'Read the password from standard input instead of asking' },
    quiet: { kind: 'boolean', flag: '--quiet', short: '-q', env: 'SWARMGATE_QUIET', help: 'Print only the export DOCKER_HOST=... line on standard output, for eval "$(docker run ...)"' },
    port: { kind: 'port', flag: '--port', env: 'SWARMGATE_LISTEN_PORT', value: 'PORT', help: 'Local port of the proxy (default: a random free one, kept for the next runs)' },
    network: { kind: 'string', flag: '--network', env: 'SWARMGATE_NETWORK', choices: ['bridge', 'host'], value: 'bridge|host', help: 'bridge: the proxy has its own network, published on 127.0.0.1; host: it runs on the host network, listening on 127.0.0.1 only (about twice the calls/s; also for endpoints only the host can reach). Default: what the last run used; on a first run host for a Linux engine on this machine, bridge for Docker Desktop, rootless engines and remapped user namespaces' },
    image: { kind: 'string', flag: '--image', env: 'SWARMGATE_CLIENT_PROXY_IMAGE', default: `swarmgate/client-proxy:${version}`, value: 'IMAGE', help: 'client-proxy image to run' },
    volume: { kind: 'string', flag: '--volume', env: 'SWARMGATE_CLIENT_VOLUME', default: 'swarmgate-client', value: 'NAME', help: 'Docker volume holding the saved swarms and logins' },
    labels: { kind: 'list', flag: '--label', env: 'SWARMGATE_LABELS', value: 'KEY=VALUE', help: 'Extra label for every object the client creates' },
    context: { kind: 'string', flag: '--context', env: 'SWARMGATE_CONTEXT', value: 'NAME', help: 'Name of the docker context made for the swarm (default swarmgate-<ns>-<name>); an existing context swarmgate did not make for this swarm is never changed' },
    dockerConfig: { kind: 'string', flag: '--docker-config', env: 'DOCKER_CONFIG', default: '/root/.docker', value: 'DIR', help: 'The docker CLI\'s configuration folder as mounted into this container (-v ~/.docker:/root/.docker): the swarm\'s docker context is written there; when it is not mounted the docker context create command is printed instead' },
    timeout: { kind: 'seconds', flag: '--timeout', env: 'SWARMGATE_TIMEOUT', default: 60, value: 'DURATION', help: 'How long to wait for the proxy to work' },
    ...engineConnectionOptions('The docker CLI\'s DOCKER_HOST, passed through with -e DOCKER_HOST: tells where the proxy runs and so which address works from your shell')
  },
  epilog: [
    'Commands:',
    '  NS/NAME        Connect to the swarm NS/NAME and print the export DOCKER_HOST=... line',
    '  ls             List the swarms this engine connected to, with their proxies\' state and ports',
    '  rm NS/NAME     Stop and remove the swarm\'s proxy and forget its login'
  ].join('\n')
})

export type ClientConfig = Config<typeof program.options>
