/**
 * Connecting to a swarm: endpoints and fingerprint from the flags or the saved swarm, the saved
 * login when the swarm still accepts it (else the user's credentials, asked in the words of the
 * identities the swarm accepts), the proxy container started or reused, a call through it, the
 * docker context, and the export line.
 */
import { hasCode, normalizePin, readPasswordFromStdin } from '@swarmgate/core'
import type { Context } from '../context.js'
import { credentialPrompts } from '../credential-prompts.js'
import { checkContext, contextName, createContextCommand, mountedConfig, writeContext } from '../docker-context.js'
import { parseEndpoint } from '../endpoints.js'
import { errors } from '../errors.js'
import { acceptedIdentities } from '../identity.js'
import { requestTokens } from '../login.js'
import type { SwarmRef } from '../names.js'
import { proxyEndpoints, waitUntilProxyWorks } from '../proxy-check.js'
import { ensureProxy, listenPort, randomPort, type RunningProxy } from '../proxy-container.js'
import { defaultNetwork } from '../network-choice.js'
import { shellAddress } from '../shell-address.js'
import type { SavedLogin, SavedSwarm } from '../state-volume.js'

/** Tries with another random port when the chosen one turns out to be taken. */
const PORT_ATTEMPTS = 5

interface Login {
  readonly refreshToken: string
  readonly account: string | undefined
  /** True when the user just logged in (the proxy must pick the new token up). */
  readonly fresh: boolean
}

async function login (ctx: Context, ref: SwarmRef, endpoints: readonly string[], fingerprint: string, saved: SavedLogin | undefined): Promise<Login> {
  const { config, prompter } = ctx
  const sameSwarm = saved !== undefined && saved.saved.fingerprint === fingerprint
  const sameAccount = config.username === undefined || config.username === saved?.saved.account
  const token = saved?.refreshToken
  if (sameSwarm && sameAccount && token !== undefined && token !== '') {
    try {
      await requestTokens(endpoints, fingerprint, ref.swarm, { grant_type: 'refresh_token', refresh_token: token })
      if (!config.quiet) prompter.say(`Using the saved login of ${saved.saved.account ?? 'your account'} for ${ref.swarm}`)
      return { refreshToken: token, account: saved.saved.account, fresh: false }
    } catch (err) {
      if (!hasCode(err, 'SG_ERR_CLIENT_LOGIN_REFUSED')) throw err
      prompter.say(`${ref.swarm}: ${err.message.replace(/^login refused: /, '')}`)
    }
  }
  const prompts = credentialPrompts(await acceptedIdentities(endpoints, fingerprint, ref.swarm), ref.swarm)
  for (const line of prompts.header) prompter.say(line)
  // A login that stopped working is renewed for the same account unless another is named.
  const known = config.username ?? (sameSwarm ? saved.saved.account : undefined)
  if (known !== undefined && config.username === undefined) prompter.say(`Username: ${known}`)
  const username = known ?? await prompter.ask('Username', { flag: '--username (or SWARMGATE_USERNAME)' })
  // The password or token goes to the swarm only; nothing of it is kept (the volume holds the swarm's refresh token).
  const password = config.passwordStdin ? await readPasswordFromStdin(ctx.stdin) : await prompter.secret(prompts.password(username), { flag: '--password-stdin' })
  const answer = await requestTokens(endpoints, fingerprint, ref.swarm, { grant_type: 'password', username, password })
  return { refreshToken: answer.refreshToken, account: answer.account, fresh: true }
}

function sameSaved (a: SavedSwarm | undefined, b: SavedSwarm): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b)
}

/** Runs `NS/NAME`. */
export async function connect (ctx: Context, ref: SwarmRef): Promise<void> {
  const { config, engine, state } = ctx
  const saved = await state.read(ref)
  const endpoints = config.endpoints.length > 0 ? [...new Set(config.endpoints.map((e) => parseEndpoint(e).endpoint))] : saved?.saved.endpoints ?? []
  if (endpoints.length === 0) throw errors.SG_ERR_CLIENT_NO_ENDPOINT(`${ref.swarm} was not connected from this engine before; pass --endpoint HOST:PORT for each manager, as registration printed it`)
  const fingerprint = config.fingerprint !== undefined ? normalizePin(config.fingerprint) : saved?.saved.fingerprint
  if (fingerprint === undefined) throw errors.SG_ERR_CLIENT_NO_FINGERPRINT(`pass --fingerprint sha256:..., as registration printed it, so the client can check it talks to ${ref.swarm}`)

  // A context of that name that is not this swarm's stops the run before anything is asked.
  const context = contextName(ref, config.context)
  const dockerConfig = await mountedConfig(config.dockerConfig)
  if (dockerConfig !== undefined) await checkContext(dockerConfig.dir, context, ref.swarm)

  const { refreshToken, account, fresh } = await login(ctx, ref, endpoints, fingerprint, saved)
  // An earlier run's choice stays (its container and the user's DOCKER_HOST with it).
  const hostNetwork = config.network === undefined ? saved?.saved.hostNetwork ?? defaultNetwork(await engine.info()).hostNetwork : config.network === 'host'
  let port = config.port ?? saved?.saved.port ?? randomPort()
  let proxy: RunningProxy | undefined
  for (let attempt = 1; proxy === undefined; attempt++) {
    const next: SavedSwarm = { swarm: ref.swarm, endpoints, fingerprint, account, port, hostNetwork }
    if (fresh || !sameSaved(saved?.saved, next)) await state.write(ref, next, refreshToken)
    try {
      const running = await ensureProxy(engine, { ref, image: config.image, endpoints, fingerprint, hostNetwork, port, volume: config.volume, tokenPath: state.tokenPath(ref), labels: ctx.labels }, fresh)
      if (!config.quiet) ctx.stderr.write(`${running.reused ? 'Using the running' : 'Started the'} proxy for ${ref.swarm} on 127.0.0.1:${port}${hostNetwork ? ' (host network)' : ''}; checking a call through it\n`)
      await waitUntilProxyWorks(engine, running.id, listenPort({ hostNetwork, port }), config.timeout * 1000)
      proxy = running
    } catch (err) {
      if (!hasCode(err, 'SG_ERR_CLIENT_PORT_BUSY') || config.port !== undefined || attempt >= PORT_ATTEMPTS) {
        if (hasCode(err, 'SG_ERR_CLIENT_PORT_BUSY') && config.port !== undefined) throw errors.SG_ERR_CLIENT_PORT_BUSY(`${err.message}; choose another --port`, err)
        throw err
      }
      port = randomPort()
    }
  }

  // The proxy follows the swarm's own list of managers: the next run starts from what it knows.
  const current = await proxyEndpoints(engine, proxy.id, listenPort({ hostNetwork, port: proxy.port }))
  if (current !== undefined && current.join(',') !== endpoints.join(',')) {
    await state.write(ref, { swarm: ref.swarm, endpoints: current, fingerprint, account, port: proxy.port, hostNetwork }, refreshToken)
  }
  const address = shellAddress(config.dockerHost, proxy.port)
  const target = { name: context, swarm: ref.swarm, host: address.host }
  if (dockerConfig !== undefined) await writeContext(dockerConfig.dir, dockerConfig, target)
  if (config.quiet) {
    ctx.stdout.write(`${address.exportLine}\n`)
  } else {
    ctx.stdout.write(`=> You can now start using the swarm ${ref.swarm} by executing:\n    ${address.exportLine}\n`)
    ctx.stdout.write(dockerConfig !== undefined
      ? `=> or with the docker context ${context}, written to your docker configuration:\n    docker context use ${context}\n`
      : `=> or make it a docker context once (or mount ~/.docker at /root/.docker to have it made for you), and use it:\n    ${createContextCommand(target)}\n    docker context use ${context}\n`)
  }
  if (address.note !== undefined) ctx.stderr.write(`${address.note}\n`)
}
