/**
 * The whole swarmgate chain for end-to-end tests, as a user runs it:
 *
 *   docker CLI -> client-proxy (plain HTTP, 127.0.0.1) -> TLS (pinned CA) -> server-proxy -> engine socket
 *
 * startChain() creates a fresh swarm identity in a temporary directory, starts both proxies as
 * child processes on port 0 (their own pids, so a test can count their file descriptors) and waits
 * until client-proxy holds a token. chain.docker() runs the real docker CLI through the chain and
 * socketDocker() the same CLI on the engine socket directly, so a test can compare the two.
 */
import https from 'node:https'
import http from 'node:http'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestIdentity, ROLE_ACCOUNTS, type TestAccount, type TestIdentity, type TestRole } from '../fixtures/identity.js'
import { runDocker, ENGINE_SOCKET, type DockerOptions } from '../testbed/docker.js'
import type { RunResult } from '../testbed/process.js'
import { waitFor } from '../testbed/wait.js'
import { startProxyProcess, type ProxyProcess, type ProxyProcessOptions } from './proxy-process.js'

export interface ChainOptions {
  /** Access token lifetime given to server-proxy (seconds, 10 to 900); default 900. */
  readonly tokenTtl?: number
  /** The engine socket server-proxy forwards to; default /var/run/docker.sock. */
  readonly engineSocket?: string
  /** The swarm name (token audience); default alice/test. */
  readonly swarm?: string
  /** How client-proxy logs in: with the password or a refresh token got first; default password. */
  readonly login?: 'password' | 'refresh-token'
  /** Start client-proxy too; default true. Refusal tests talk to server-proxy alone. */
  readonly clientProxy?: boolean
  /** How both proxy processes are started (node options, how many log lines to keep); default plain. */
  readonly processes?: ProxyProcessOptions
  /**
   * The role of the chain's own account (`alice`, the one client-proxy logs in as); default
   * operator: owner may do everything operator may, so a test passing as operator covers both.
   * A test that needs what only the owner may do asks for it and says why.
   */
  readonly role?: string
  /** More client-proxy flags (`--allow-origin` for a web UI's origin). */
  readonly clientProxyArgs?: readonly string[]
  /**
   * Both proxies with the relay (the fast path of issue 14, their default); false: --relay=off.
   * Default: on, unless SWARMGATE_TEST_RELAY=0 in the test's environment, so a suite can be run
   * against the full path unchanged.
   */
  readonly relay?: boolean
}

export interface TokenResponse {
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_in: number
  readonly swarm: string
  readonly account: string
}

export interface HttpAnswer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export interface Chain {
  /** DOCKER_HOST for the CLI: tcp://127.0.0.1:<client-proxy port>. */
  readonly dockerHost: string
  /** The same client-proxy on its unix socket (--socket): unix://<path>. */
  readonly dockerSocketHost: string
  /** https://127.0.0.1:<server-proxy port>. */
  readonly serverUrl: string
  readonly serverPid: number
  /** 0 when the chain was started without client-proxy. */
  readonly clientPid: number
  readonly fingerprint: string
  readonly swarm: string
  /** The chain's own account (`alice`, with ChainOptions.role). */
  readonly account: TestAccount
  readonly identity: TestIdentity
  readonly server: ProxyProcess
  readonly client: ProxyProcess | undefined
  /** A fresh access token from the token service (password grant) for the chain's account, or for ROLE_ACCOUNTS[as]. */
  accessToken (as?: TestRole): Promise<string>
  /** The whole token response for a password grant (the chain's account, or ROLE_ACCOUNTS[as]). */
  login (as?: TestRole): Promise<TokenResponse>
  /** An HTTPS call to server-proxy, trusting the swarm's CA. */
  callServer (path: string, opts?: { method?: string, headers?: Record<string, string>, body?: string }): Promise<HttpAnswer>
  /** The docker CLI through the chain. */
  docker (args: readonly string[], opts?: DockerOptions): Promise<RunResult>
  /** Both proxies' log lines, prefixed with the program's name. */
  logs (): string
  close (): Promise<void>
}

/** DOCKER_HOST of the engine socket, for comparisons. */
export const SOCKET_HOST = `unix://${ENGINE_SOCKET}`

/**
 * Starts server-proxy and (unless told not to) client-proxy with a fresh identity holding the
 * chain's account and one account per built-in role (ROLE_ACCOUNTS).
 */
export async function startChain (opts: ChainOptions = {}): Promise<Chain> {
  const swarm = opts.swarm ?? 'alice/test'
  const ACCOUNT: TestAccount = { name: 'alice', password: 'correct horse battery', role: opts.role ?? 'operator' }
  const identity = await createTestIdentity(swarm, [ACCOUNT, ...Object.values(ROLE_ACCOUNTS)])
  const relay = (opts.relay ?? process.env.SWARMGATE_TEST_RELAY !== '0') ? [] : ['--relay=off']
  const started: ProxyProcess[] = []
  try {
    const server = await startProxyProcess('server-proxy', [
      '--host', '127.0.0.1', '--port', '0', ...identity.serverArgs,
      '--engine-socket', opts.engineSocket ?? ENGINE_SOCKET, ...relay,
      ...(opts.tokenTtl === undefined ? [] : ['--token-ttl', String(opts.tokenTtl)])
    ], opts.processes)
    started.push(server)
    const serverUrl = `https://127.0.0.1:${server.port}`
    const callServer: Chain['callServer'] = async (path, o = {}) => await httpsCall(serverUrl, identity.caPem, path, o)
    const login = async (as?: TestRole): Promise<TokenResponse> => {
      const account = as === undefined ? ACCOUNT : ROLE_ACCOUNTS[as]
      const answer = await callServer('/_swarmgate/v1/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: account.name, password: account.password }).toString()
      })
      if (answer.status !== 200) throw new Error(`token request failed with ${answer.status}: ${answer.body}`)
      return JSON.parse(answer.body) as TokenResponse
    }

    let client: ProxyProcess | undefined
    if (opts.clientProxy !== false) {
      const credentialArgs = opts.login === 'refresh-token'
        ? ['--refresh-token-file', await secretFile(identity, 'refresh-token', (await login()).refresh_token)]
        : ['--username', ACCOUNT.name, '--password-file', await secretFile(identity, 'password', ACCOUNT.password)]
      client = await startProxyProcess('client-proxy', [
        '--host', '127.0.0.1', '--port', '0', '--socket', join(identity.dir, 'docker.sock'), '--swarm', swarm,
        '--endpoint', `127.0.0.1:${server.port}`, '--fingerprint', identity.fingerprint, ...credentialArgs, ...relay, ...(opts.clientProxyArgs ?? [])
      ], opts.processes)
      started.push(client)
      const health = `http://127.0.0.1:${client.port}/_swarmgate/v1/health`
      // And to have asked the swarm for its endpoint list once (it does at start, and that call
      // reaches the engine): tests that count what reaches the engine start after it.
      await waitFor('client-proxy to hold a token and have asked for the endpoint list', async () => {
        const answer = await httpCall(health)
        return answer.status === 200 && (JSON.parse(answer.body) as { endpointsAskedAt?: string }).endpointsAskedAt !== undefined ? true : undefined
      }, { timeoutMs: 15_000, intervalMs: 100 })
    }

    const dockerHost = client === undefined ? '' : `tcp://127.0.0.1:${client.port}`
    let closed: Promise<void> | undefined
    return {
      dockerHost,
      dockerSocketHost: client === undefined ? '' : `unix://${join(identity.dir, 'docker.sock')}`,
      serverUrl,
      serverPid: server.pid,
      clientPid: client?.pid ?? 0,
      fingerprint: identity.fingerprint,
      swarm,
      account: ACCOUNT,
      identity,
      server,
      client,
      accessToken: async (as) => (await login(as)).access_token,
      login,
      callServer,
      docker: async (args, o = {}) => {
        if (client === undefined) throw new Error('this chain was started without client-proxy')
        return await runDocker(args, { ...o, host: dockerHost })
      },
      logs: () => started.flatMap((p) => p.lines().map((l) => `${p.name}: ${l}`)).join('\n'),
      close: async () => {
        closed ??= (async () => {
          await Promise.all(started.map(async (p) => { await p.stop() }))
          await identity.remove()
        })()
        await closed
      }
    }
  } catch (err) {
    await Promise.all(started.map(async (p) => { await p.stop() }))
    await identity.remove()
    throw err
  }
}

async function secretFile (identity: TestIdentity, name: string, content: string): Promise<string> {
  const path = join(identity.dir, name)
  await writeFile(path, content, { mode: 0o600 })
  return path
}

/** The part of tap's Test that logsOnFailure uses. */
export interface FailureHooks {
  passing: () => boolean
  comment: (...args: unknown[]) => void
}

/**
 * Prints the last `lines` log lines of both proxies as TAP comments when `t` has failed, so a
 * failure in CI shows what the proxies saw. Call it in teardown, before chain.close().
 */
export function logsOnFailure (t: FailureHooks, chain: Chain | undefined, lines = 60): void {
  if (chain === undefined || t.passing()) return
  t.comment(`last proxy log lines:\n${chain.logs().split('\n').slice(-lines).join('\n')}`)
}

/** The docker CLI on the engine socket directly. */
export async function socketDocker (args: readonly string[], opts: DockerOptions = {}): Promise<RunResult> {
  return await runDocker(args, { ...opts, host: SOCKET_HOST })
}

/** Runs the same docker command through the chain and on the socket, one after the other. */
export async function bothWays (chain: Chain, args: readonly string[], opts: DockerOptions = {}): Promise<{ chain: RunResult, socket: RunResult }> {
  const viaChain = await chain.docker(args, opts)
  const viaSocket = await socketDocker(args, opts)
  return { chain: viaChain, socket: viaSocket }
}

/** A plain HTTP GET (client-proxy's health endpoint). */
export async function httpCall (url: string): Promise<HttpAnswer> {
  return await new Promise((resolve, reject) => {
    http.get(url, (res) => collect(res, resolve)).on('error', reject)
  })
}

async function httpsCall (base: string, ca: string, path: string, opts: { method?: string, headers?: Record<string, string>, body?: string }): Promise<HttpAnswer> {
  return await new Promise((resolve, reject) => {
    const req = https.request(new URL(path, base), { method: opts.method ?? 'GET', headers: opts.headers, ca, agent: false }, (res) => collect(res, resolve))
    req.on('error', reject)
    req.end(opts.body)
  })
}

function collect (res: http.IncomingMessage, resolve: (a: HttpAnswer) => void): void {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }))
}
