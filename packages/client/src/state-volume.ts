/**
 * The saved swarms: endpoints, fingerprint, account and refresh token of each swarm this engine
 * connected to, in a named volume (`swarmgate-client`) at swarms/<ns>/<name>/ with folders 0700 and
 * files 0600 owned by the proxy's user. The proxy container mounts the volume read-only and reads
 * its refresh token from there, so the token is never in an environment variable or command line
 * that `docker inspect` shows.
 *
 * The client container does not mount the volume (the user's `docker run` has no -v for it, and
 * the engine may be remote): it reads and writes through a helper container that is created but
 * never started, with the engine's archive endpoints.
 */
import { randomBytes } from 'node:crypto'
import type { EngineClient, Labels } from '@swarmgate/core'
import { errors } from './errors.js'
import { LABELS, PROXY_USER, STATE_MOUNT, swarmDir, type SwarmRef } from './names.js'
import { packTar, unpackTarFiles, type TarEntry } from './tar.js'

export interface SavedSwarm {
  readonly swarm: string
  readonly endpoints: readonly string[]
  readonly fingerprint: string
  /** The account of the saved login. */
  readonly account?: string
  /** The proxy's local port, kept so the export line stays the same. */
  readonly port?: number
  readonly hostNetwork: boolean
}

export interface SavedLogin {
  readonly saved: SavedSwarm
  readonly refreshToken: string | undefined
}

export const SWARM_FILE = 'swarm.json'
export const TOKEN_FILE = 'refresh-token'

export interface StateVolumeOptions {
  readonly volume: string
  /** Image for the helper containers: the client-proxy image, which the engine has anyway. */
  readonly image: string
  readonly labels: Labels
}

export class StateVolume {
  readonly #engine: EngineClient
  readonly #opts: StateVolumeOptions

  constructor (engine: EngineClient, opts: StateVolumeOptions) {
    this.#engine = engine
    this.#opts = opts
  }

  /** Where the proxy finds the refresh token of `ref`. */
  tokenPath (ref: SwarmRef): string {
    return `${STATE_MOUNT}/${swarmDir(ref)}/${TOKEN_FILE}`
  }

  async #exists (): Promise<boolean> {
    return (await this.#engine.volumes({ name: [this.#opts.volume] })).some((v) => v.Name === this.#opts.volume)
  }

  async #withHelper<T> (use: (id: string) => Promise<T>, command?: readonly string[]): Promise<T> {
    const id = await this.#engine.createContainer(`swarmgate_client_state_${randomBytes(4).toString('hex')}`, {
      Image: this.#opts.image,
      Entrypoint: ['node'],
      Cmd: command ?? ['-e', ''],
      User: `${PROXY_USER.uid}:${PROXY_USER.gid}`,
      Labels: { ...this.#opts.labels, [LABELS.component]: 'client-state' },
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: this.#opts.volume, Target: STATE_MOUNT }] }
    })
    try {
      return await use(id)
    } finally {
      await this.#engine.removeContainer(id)
    }
  }

  /** Every saved swarm. */
  async list (): Promise<SavedLogin[]> {
    if (!await this.#exists()) return []
    const files = await this.#withHelper(async (id) => await this.#readTree(id, `${STATE_MOUNT}/swarms`))
    const out: SavedLogin[] = []
    for (const [path, content] of files) {
      const m = new RegExp(`^swarms/([^/]+)/([^/]+)/${SWARM_FILE}$`).exec(path)
      if (m === null) continue
      out.push({ saved: parseSaved(content, path), refreshToken: files.get(`swarms/${m[1] as string}/${m[2] as string}/${TOKEN_FILE}`)?.toString('utf8').trim() })
    }
    return out.sort((a, b) => a.saved.swarm.localeCompare(b.saved.swarm))
  }

  /** The saved swarm `ref`, if any. */
  async read (ref: SwarmRef): Promise<SavedLogin | undefined> {
    if (!await this.#exists()) return undefined
    const files = await this.#withHelper(async (id) => await this.#readTree(id, `${STATE_MOUNT}/${swarmDir(ref)}`))
    const swarmFile = files.get(`${ref.name}/${SWARM_FILE}`)
    if (swarmFile === undefined) return undefined
    return { saved: parseSaved(swarmFile, `${swarmDir(ref)}/${SWARM_FILE}`), refreshToken: files.get(`${ref.name}/${TOKEN_FILE}`)?.toString('utf8').trim() }
  }

  async #readTree (id: string, path: string): Promise<Map<string, Buffer>> {
    try {
      return unpackTarFiles(await this.#engine.getArchive(id, path))
    } catch (err) {
      if ((err as { code?: string }).code === 'SG_ERR_ENGINE_NOT_FOUND') return new Map()
      throw err
    }
  }

  /** Saves `saved` and its refresh token, creating the volume on first use. */
  async write (ref: SwarmRef, saved: SavedSwarm, refreshToken: string): Promise<void> {
    if (!await this.#exists()) await this.#engine.createVolume(this.#opts.volume, { ...this.#opts.labels, [LABELS.component]: 'client' })
    const owner = { uid: PROXY_USER.uid, gid: PROXY_USER.gid }
    const dir = swarmDir(ref)
    const entries: TarEntry[] = [
      { path: 'swarms', type: 'dir', mode: 0o700, ...owner },
      { path: `swarms/${ref.namespace}`, type: 'dir', mode: 0o700, ...owner },
      { path: dir, type: 'dir', mode: 0o700, ...owner },
      { path: `${dir}/${SWARM_FILE}`, type: 'file', mode: 0o600, ...owner, content: Buffer.from(JSON.stringify(saved, null, 2) + '\n') },
      { path: `${dir}/${TOKEN_FILE}`, type: 'file', mode: 0o600, ...owner, content: Buffer.from(`${refreshToken}\n`) }
    ]
    await this.#withHelper(async (id) => { await this.#engine.putArchive(id, STATE_MOUNT, packTar(entries)) })
  }

  /** Deletes the saved swarm `ref`; the archive endpoints cannot delete, so the helper runs for this. */
  async forget (ref: SwarmRef): Promise<void> {
    if (!await this.#exists()) return
    const script = 'require("fs").rmSync(process.argv[1], { recursive: true, force: true })'
    const status = await this.#withHelper(async (id) => {
      await this.#engine.startContainer(id)
      return await this.#engine.waitContainer(id)
    }, ['-e', script, `${STATE_MOUNT}/${swarmDir(ref)}`])
    if (status !== 0) throw errors.SG_ERR_CLIENT_STATE(`removing ${swarmDir(ref)} from the volume ${this.#opts.volume} failed (exit status ${status})`)
  }
}

function parseSaved (content: Buffer, path: string): SavedSwarm {
  try {
    const doc = JSON.parse(content.toString('utf8')) as Partial<SavedSwarm>
    if (typeof doc.swarm !== 'string' || !Array.isArray(doc.endpoints) || typeof doc.fingerprint !== 'string') throw new TypeError('missing swarm, endpoints or fingerprint')
    return { swarm: doc.swarm, endpoints: doc.endpoints, fingerprint: doc.fingerprint, account: doc.account, port: doc.port, hostNetwork: doc.hostNetwork === true }
  } catch (err) {
    throw errors.SG_ERR_CLIENT_STATE(`${path} in the volume is damaged (${(err as Error).message}); remove it with swarmgate/client rm NS/NAME`, err)
  }
}
