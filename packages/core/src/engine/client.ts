/**
 * A small client for the Docker Engine API: the calls registration and client make, over the
 * engine's unix socket or tcp. It negotiates the API version the way the docker CLI does (the
 * lower of the engine's and ours) and turns every failure into a SwarmgateError with the engine's
 * own message, so callers can add what the user should do.
 */
import { Client, type Dispatcher } from 'undici'
import type { EngineAddress } from './address.js'
import { engineAnswerError, engineErrors } from './errors.js'
import { demultiplex } from './multiplexed.js'
import type {
  Container, ContainerCreate, ContainerSummary, Filters, Image, Labels, Network, Secret, Service, ServiceSpec,
  Swarm, SwarmNode, SystemInfo, Task, Volume
} from './types.js'

/** The newest API version swarmgate was written against (Docker 20.10). */
export const ENGINE_API_VERSION = '1.41'

type Query = Readonly<Record<string, string | number | boolean | Filters | undefined>>

interface CallOptions {
  readonly query?: Query
  readonly body?: unknown
  /** A raw body (a tar archive) sent with `contentType`. */
  readonly raw?: Buffer
  readonly contentType?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** Compares dotted API versions such as 1.25 and 1.41. */
export function compareApiVersions (a: string, b: string): number {
  const [amaj = 0, amin = 0] = a.split('.').map(Number)
  const [bmaj = 0, bmin = 0] = b.split('.').map(Number)
  return amaj - bmaj || amin - bmin
}

export class EngineClient {
  readonly address: EngineAddress
  /** The API version used in every path, set by `connect`. */
  apiVersion = ENGINE_API_VERSION
  readonly #http: Client

  constructor (address: EngineAddress) {
    this.address = address
    const timeouts = { headersTimeout: 120_000, bodyTimeout: 120_000 }
    this.#http = address.kind === 'unix'
      ? new Client('http://docker.sock', { ...timeouts, socketPath: address.path })
      : new Client(`${address.tls === undefined ? 'http' : 'https'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
        { ...timeouts, ...(address.tls === undefined ? {} : { connect: { ...address.tls } }) })
  }

  /** Opens a client and negotiates the API version; fails with SG_ERR_ENGINE_UNREACHABLE. */
  static async connect (address: EngineAddress): Promise<EngineClient> {
    const engine = new EngineClient(address)
    const res = await engine.#send('GET', '/_ping', {}, false)
    const text = await res.body.text()
    if (res.statusCode !== 200) {
      await engine.close()
      throw engineErrors.SG_ERR_ENGINE_UNREACHABLE(`${address.url} answered /_ping with ${res.statusCode}: ${text.slice(0, 200)}`)
    }
    let theirs = res.headers['api-version']
    if (typeof theirs !== 'string') {
      // Engines before API 1.28 do not name their version in /_ping; /version has it on every one.
      const version = await engine.#send('GET', '/version', {}, false)
      theirs = (await version.body.json() as { ApiVersion?: string }).ApiVersion
    }
    if (typeof theirs === 'string' && compareApiVersions(theirs, ENGINE_API_VERSION) < 0) engine.apiVersion = theirs
    return engine
  }

  async close (): Promise<void> {
    await this.#http.close()
  }

  async #send (method: string, path: string, opts: CallOptions, versioned = true): Promise<Dispatcher.ResponseData> {
    const query = new URLSearchParams()
    for (const [k, v] of Object.entries(opts.query ?? {})) {
      if (v === undefined) continue
      query.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
    const qs = query.size > 0 ? `?${query.toString()}` : ''
    const headers: Record<string, string> = { ...opts.headers }
    let body: string | Buffer | undefined
    if (opts.raw !== undefined) {
      body = opts.raw
      headers['content-type'] = opts.contentType ?? 'application/octet-stream'
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] = 'application/json'
    }
    try {
      return await this.#http.request({ method: method as 'GET', path: `${versioned ? `/v${this.apiVersion}` : ''}${path}${qs}`, headers, body })
    } catch (err) {
      const code = (err as { code?: string }).code
      throw engineErrors.SG_ERR_ENGINE_UNREACHABLE(`${this.address.url} (${code ?? (err as Error).message})`, err)
    }
  }

  /** Sends a call and returns the answer's body; a status of 300 or more becomes an error. */
  async call (method: string, path: string, opts: CallOptions = {}): Promise<Buffer> {
    const res = await this.#send(method, path, opts)
    const body = Buffer.from(await res.body.arrayBuffer())
    if (res.statusCode >= 300 && res.statusCode !== 304) {
      let message = body.toString('utf8').trim()
      try { message = (JSON.parse(message) as { message?: string }).message ?? message } catch { /* not JSON: keep the text */ }
      throw engineAnswerError(res.statusCode, `${method} ${path}`, message)
    }
    return body
  }

  async #json<T> (method: string, path: string, opts: CallOptions = {}): Promise<T> {
    const body = await this.call(method, path, opts)
    return (body.length === 0 ? undefined : JSON.parse(body.toString('utf8'))) as T
  }

  async info (): Promise<SystemInfo> { return await this.#json('GET', '/info') }
  async swarm (): Promise<Swarm> { return await this.#json('GET', '/swarm') }
  async nodes (filters?: Filters): Promise<SwarmNode[]> { return await this.#json('GET', '/nodes', { query: { filters } }) }

  async secrets (filters?: Filters): Promise<Secret[]> { return await this.#json('GET', '/secrets', { query: { filters } }) }
  /** Creates a secret from its content; returns its ID. */
  async createSecret (name: string, data: string, labels: Labels): Promise<string> {
    const res = await this.#json<{ ID: string }>('POST', '/secrets/create', { body: { Name: name, Labels: labels, Data: Buffer.from(data, 'utf8').toString('base64') } })
    return res.ID
  }

  async removeSecret (id: string): Promise<void> { await this.call('DELETE', `/secrets/${encodeURIComponent(id)}`) }

  async networks (filters?: Filters): Promise<Network[]> { return await this.#json('GET', '/networks', { query: { filters } }) }
  async inspectNetwork (id: string): Promise<Network> { return await this.#json('GET', `/networks/${encodeURIComponent(id)}`) }
  /** Creates a network; returns its ID. */
  async createNetwork (spec: { Name: string, Driver: string, Labels: Labels, Attachable?: boolean, Internal?: boolean, CheckDuplicate?: boolean, Options?: Labels }): Promise<string> {
    return (await this.#json<{ Id: string }>('POST', '/networks/create', { body: spec })).Id
  }

  async removeNetwork (id: string): Promise<void> { await this.call('DELETE', `/networks/${encodeURIComponent(id)}`) }

  async services (filters?: Filters): Promise<Service[]> { return await this.#json('GET', '/services', { query: { filters } }) }
  async inspectService (id: string): Promise<Service> { return await this.#json('GET', `/services/${encodeURIComponent(id)}`) }
  /** Creates a service; returns its ID and the engine's warnings (an image it could not resolve, for example). */
  async createService (spec: ServiceSpec): Promise<{ ID: string, Warnings?: string[] | null }> {
    return await this.#json('POST', '/services/create', { body: spec })
  }

  /** Replaces a service's spec; `version` is the Version.Index read with it, so a concurrent change fails. */
  async updateService (id: string, version: number, spec: ServiceSpec): Promise<{ Warnings?: string[] | null }> {
    return await this.#json('POST', `/services/${encodeURIComponent(id)}/update`, { query: { version }, body: spec })
  }

  async removeService (id: string): Promise<void> { await this.call('DELETE', `/services/${encodeURIComponent(id)}`) }
  async tasks (filters?: Filters): Promise<Task[]> { return await this.#json('GET', '/tasks', { query: { filters } }) }

  async containers (filters?: Filters, all = true): Promise<ContainerSummary[]> { return await this.#json('GET', '/containers/json', { query: { all, filters } }) }
  async inspectContainer (id: string): Promise<Container> { return await this.#json('GET', `/containers/${encodeURIComponent(id)}/json`) }
  /** Creates a container; returns its ID. */
  async createContainer (name: string | undefined, spec: ContainerCreate): Promise<string> {
    return (await this.#json<{ Id: string }>('POST', '/containers/create', { query: { name }, body: spec })).Id
  }

  async startContainer (id: string): Promise<void> { await this.call('POST', `/containers/${encodeURIComponent(id)}/start`) }
  /** Waits until a container stops; returns its exit code. */
  async waitContainer (id: string): Promise<number> {
    return (await this.#json<{ StatusCode: number }>('POST', `/containers/${encodeURIComponent(id)}/wait`)).StatusCode
  }

  async restartContainer (id: string): Promise<void> { await this.call('POST', `/containers/${encodeURIComponent(id)}/restart`, { query: { t: 5 } }) }
  async removeContainer (id: string, force = true): Promise<void> {
    await this.call('DELETE', `/containers/${encodeURIComponent(id)}`, { query: { force, v: false } })
  }

  /** The last lines a container wrote, standard output and error together. */
  async containerLogs (id: string, tail = 20): Promise<string> {
    const body = await this.call('GET', `/containers/${encodeURIComponent(id)}/logs`, { query: { stdout: true, stderr: true, tail } })
    const { stdout, stderr } = demultiplex(body)
    return Buffer.concat([stdout, stderr]).toString('utf8')
  }

  /** Writes a tar archive into a container's filesystem (created containers too) at `path`. */
  async putArchive (id: string, path: string, tar: Buffer): Promise<void> {
    await this.call('PUT', `/containers/${encodeURIComponent(id)}/archive`, { query: { path }, raw: tar, contentType: 'application/x-tar' })
  }

  /** Reads `path` out of a container's filesystem as a tar archive. */
  async getArchive (id: string, path: string): Promise<Buffer> {
    return await this.call('GET', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } })
  }

  /** Runs a command in a running container and collects its output and exit code. */
  async exec (id: string, cmd: readonly string[], user?: string): Promise<{ exitCode: number, stdout: string, stderr: string }> {
    const { Id } = await this.#json<{ Id: string }>('POST', `/containers/${encodeURIComponent(id)}/exec`, {
      body: { Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user === undefined ? {} : { User: user }) }
    })
    // Without an Upgrade header the engine answers 200 and streams the output until the command ends.
    const body = await this.call('POST', `/exec/${Id}/start`, { body: { Detach: false, Tty: false } })
    const { stdout, stderr } = demultiplex(body)
    const { ExitCode } = await this.#json<{ ExitCode: number | null }>('GET', `/exec/${Id}/json`)
    return { exitCode: ExitCode ?? -1, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') }
  }

  async volumes (filters?: Filters): Promise<Volume[]> {
    return (await this.#json<{ Volumes: Volume[] | null }>('GET', '/volumes', { query: { filters } })).Volumes ?? []
  }

  async createVolume (name: string, labels: Labels): Promise<Volume> { return await this.#json('POST', '/volumes/create', { body: { Name: name, Labels: labels } }) }
  async removeVolume (name: string): Promise<void> { await this.call('DELETE', `/volumes/${encodeURIComponent(name)}`) }

  async inspectImage (ref: string): Promise<Image> { return await this.#json('GET', `/images/${encodeURIComponent(ref)}/json`) }
  /** Pulls an image; the engine streams progress and reports a failure inside the stream. */
  async pullImage (ref: string): Promise<void> {
    const at = ref.lastIndexOf(':')
    const tagged = at > ref.lastIndexOf('/')
    const body = await this.call('POST', '/images/create', { query: { fromImage: tagged ? ref.slice(0, at) : ref, tag: tagged ? ref.slice(at + 1) : 'latest' } })
    for (const line of body.toString('utf8').split('\n')) {
      if (line.trim() === '') continue
      const event = JSON.parse(line) as { error?: string }
      if (event.error !== undefined) throw engineErrors.SG_ERR_ENGINE_REFUSED(`pulling ${ref}: ${event.error}`)
    }
  }
}
