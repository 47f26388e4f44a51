/**
 * Which manager created each exec instance. An exec lives in one engine: `docker exec` creates it
 * (`POST /containers/{id}/exec`), then starts it, resizes its terminal and asks for its exit
 * code (`/exec/{id}/start`, `/resize`, `/json`), and a failover between the create and the rest
 * would send those to an engine that never heard of it ("No such exec instance"). So the calls
 * on an exec go to the manager whose answer created it, and nowhere else. Calls for one node
 * (under the reserved prefix) are not here: server-proxy routes those to the node's engine
 * whichever manager gets them.
 */
import type { Endpoint } from '../pinned-tls.js'

const CREATE = /^(?:\/v[\d.]+)?\/containers\/[^/?]+\/exec(?:\?|$)/
const ON_EXEC = /^(?:\/v[\d.]+)?\/exec\/([^/?]+)\/(?:start|resize|json)(?:\?|$)/
/** Execs remembered at most: the oldest is forgotten first. */
const MAX_EXECS = 4096
/**
 * How long an exec is remembered after it was last used: an interactive session resizes its
 * terminal as long as it lasts, and the engine keeps an ended exec until its container goes.
 */
const KEEP_MS = 12 * 60 * 60 * 1000
/** An exec create's answer is `{"Id":"..."}`: anything longer is not one. */
export const CREATE_ANSWER_MAX_BYTES = 1024

/** True when `method` `path` creates an exec instance on the engine that gets it. */
export function createsExec (method: string, path: string): boolean {
  return method === 'POST' && CREATE.test(path)
}

/** The exec ID a call on an exec instance names (start, resize, inspect); undefined for any other call. */
export function execOf (path: string): string | undefined {
  return ON_EXEC.exec(path)?.[1]
}

/** The ID in an exec create's answer (status 201), if it has one. */
export function createdId (status: number, body: Buffer): string | undefined {
  if (status !== 201) return undefined
  try {
    const id = (JSON.parse(body.toString('utf8')) as { Id?: unknown }).Id
    return typeof id === 'string' && id.length > 0 ? id : undefined
  } catch {
    return undefined
  }
}

export class ExecOwners {
  /** By exec ID, oldest use first. */
  readonly #owners = new Map<string, { readonly endpoint: Endpoint, used: number }>()

  /** `endpoint` created exec `id`. */
  remember (id: string, endpoint: Endpoint): void {
    this.#owners.delete(id)
    this.#owners.set(id, { endpoint, used: Date.now() })
    for (const oldest of this.#owners.keys()) {
      if (this.#owners.size <= MAX_EXECS) break
      this.#owners.delete(oldest)
    }
  }

  /** The manager that created exec `id`, when this proxy saw it happen (recently enough). */
  ownerOf (id: string): Endpoint | undefined {
    const entry = this.#owners.get(id)
    if (entry === undefined) return undefined
    this.#owners.delete(id)
    if (Date.now() - entry.used > KEEP_MS) return undefined
    entry.used = Date.now()
    this.#owners.set(id, entry)
    return entry.endpoint
  }
}
