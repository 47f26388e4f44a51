/**
 * The engine facts a decision may need (docs/authorization.md): the object a call targets, and the
 * IDs of swarmgate's own secrets and configs and of the host network. Asked of the local engine as
 * the gateway itself, only when the policy says a decision needs them; an owner's call never asks.
 */
import type { Dispatcher } from 'undici'
import { REGISTRATION_LABELS, SwarmgateError, describeUpstreamError, type Call, type FactKind, type Facts, type Upstream } from '@swarmgate/core'
import { errors } from '../errors.js'


/** Where each kind of target is inspected. */
const INSPECT: Readonly<Record<Exclude<FactKind, 'exec' | 'swarm-objects'>, string>> = {
  container: '/containers/%s/json',
  service: '/services/%s',
  secret: '/secrets/%s',
  config: '/configs/%s',
  network: '/networks/%s',
  volume: '/volumes/%s'
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export class EngineFacts {
  readonly #upstream: Upstream

  constructor (upstream: Upstream) {
    this.#upstream = upstream
  }

  /** Fetches the facts of `kinds` for `call`; throws SG_ERR_FACTS_UNAVAILABLE when the engine cannot tell. */
  async fetch (kinds: readonly FactKind[], call: Call): Promise<Facts> {
    // POST /commit names its container in the query.
    const target = call.params.id ?? call.params.name ?? call.query.get('container')?.[0] ?? ''
    const facts: Mutable<Facts> = {}
    await Promise.all(kinds.map(async (kind) => {
      if (kind === 'swarm-objects') {
        facts.swarmObjects = await this.#swarmObjects()
      } else if (kind === 'exec') {
        const exec = await this.#get(`/exec/${encodeURIComponent(target)}/json`)
        const containerId = (exec as { ContainerID?: unknown } | null)?.ContainerID
        facts.exec = exec === null ? null : { exec, container: typeof containerId === 'string' ? await this.#get(`/containers/${encodeURIComponent(containerId)}/json`) : null }
      } else {
        facts[kind] = await this.#get(INSPECT[kind].replace('%s', encodeURIComponent(target)))
      }
    }))
    return facts
  }

  async #swarmObjects (): Promise<NonNullable<Facts['swarmObjects']>> {
    const filter = encodeURIComponent(JSON.stringify({ label: [REGISTRATION_LABELS.component] }))
    const [secrets, configs, networks, host] = await Promise.all([
      this.#get(`/secrets?filters=${filter}`),
      this.#get(`/configs?filters=${filter}`),
      this.#get(`/networks?filters=${filter}`),
      // A service's network target is resolved among the swarm's networks, where the host
      // network has an ID of its own (not the local one `docker network ls` shows).
      this.#get('/networks/host?scope=swarm')
    ])
    const objects = [...asList(secrets), ...asList(configs)] as Array<{ ID?: unknown, Spec?: { Name?: unknown } }>
    const own = asList(networks) as Array<{ Id?: unknown, Name?: unknown }>
    const hostId = (host as { Id?: unknown } | null)?.Id
    return {
      protectedIds: new Set([...objects.map((o) => o.ID), ...own.map((n) => n.Id)].filter((id): id is string => typeof id === 'string')),
      protectedNames: new Set([...objects.map((o) => o.Spec?.Name), ...own.map((n) => n.Name)].filter((name): name is string => typeof name === 'string')),
      hostNetworkId: typeof hostId === 'string' ? hostId : undefined
    }
  }

  /** The engine's JSON answer to GET `path`; null when it has no such object (404). */
  async #get (path: string): Promise<unknown> {
    let res: Dispatcher.ResponseData
    try {
      res = await this.#upstream.dispatcher.request({ origin: this.#upstream.origin, path, method: 'GET', headersTimeout: 30_000, bodyTimeout: 30_000 })
    } catch (err) {
      // The engine is down or stuck: the same answer the call itself would have had.
      const failure = describeUpstreamError(err as Error, this.#upstream.name)
      throw new SwarmgateError('SG_ERR_FACTS_UNAVAILABLE', failure.message, { statusCode: failure.statusCode, cause: err })
    }
    if (res.statusCode === 404) { await res.body.dump(); return null }
    if (res.statusCode !== 200) { await res.body.dump(); throw errors.SG_ERR_FACTS_UNAVAILABLE(`GET ${path} answered ${res.statusCode}`) }
    return await res.body.json()
  }
}

function asList (value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}
