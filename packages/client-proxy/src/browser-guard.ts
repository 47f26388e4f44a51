/**
 * Keeps web pages away from client-proxy. Any page the user visits can make the browser send
 * requests to 127.0.0.1 (a simple cross-site POST needs no preflight), and a DNS-rebinding page
 * can even read the answers under a name of its own. The docker CLI and the Docker SDKs send no
 * `Origin` and no `Sec-Fetch-*` headers, and over tcp:// they name the address they were given in
 * `Host` (docker CLI 28.2 sends `127.0.0.1:PORT` or `localhost:PORT`; over unix:// it sends
 * `api.moby.localhost`): so a request carrying those headers came from a web page, and a `Host`
 * that is not a loopback name came through a name the attacker controls.
 *
 * The port in `Host` is not checked: the client runs the proxy in a container whose inner port
 * differs from the published one, and `ssh -L` forwards under yet another; a rebinding page
 * cannot choose the name, which is what is checked. A request without `Host` (HTTP/1.0 allows
 * it) cannot come from a browser and passes. The unix socket is out of a browser's reach, so any
 * `Host` is accepted there, but the `Origin` rule holds on both listeners.
 */
import type { IncomingHttpHeaders } from 'node:http'
import net from 'node:net'
import { errors } from './errors.js'

/** Which of client-proxy's listeners a request came in on. */
export type Listener = 'tcp' | 'unix'

export interface BrowserGuardOptions {
  /** The --host client-proxy listens on: a request naming it in `Host` is accepted too. */
  readonly listenHost: string
  /** The one web origin allowed through (--allow-origin), normalised; undefined: none. */
  readonly allowOrigin: string | undefined
}

/** Tells whether a request may pass: undefined when it may, else the refusal message. */
export type BrowserGuard = (headers: IncomingHttpHeaders, listener: Listener) => string | undefined

const LOOPBACK_NAMES = new Set(['localhost', '[::1]'])
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

/** The origin of `text` as browsers send it (`scheme://host[:port]`), or throws SG_ERR_ORIGIN_FORMAT. */
export function normalizeOrigin (text: string): string {
  let url: URL | undefined
  try { url = new URL(text) } catch {}
  if (url === undefined || url.origin === 'null' || url.href.replace(/\/$/, '') !== url.origin) {
    throw errors.SG_ERR_ORIGIN_FORMAT(`got "${text}"`)
  }
  return url.origin
}

/** The host part of a `Host` value (`name`, `name:port`, `[v6]:port`), lower case. */
function hostName (host: string): string {
  const m = /^(\[[^\]]*\]|[^:]*)(?::\d*)?$/.exec(host.trim().toLowerCase())
  return m?.[1] ?? ''
}

/** True when `name` (from a Host header) names this machine's loopback or the address listened on. */
function isOwnName (name: string, listenHost: string): boolean {
  if (LOOPBACK_NAMES.has(name) || (net.isIPv4(name) && name.startsWith('127.'))) return true
  const own = listenHost.toLowerCase()
  return !WILDCARDS.has(own) && (name === own || name === `[${own}]`)
}

/** Builds the guard for client-proxy's listeners. */
export function browserGuard (opts: BrowserGuardOptions): BrowserGuard {
  return (headers, listener) => {
    const origin = headers.origin
    if (origin !== undefined && origin !== opts.allowOrigin) {
      return `swarmgate: refused: a request from a web page (Origin: ${origin}); client-proxy serves the docker CLI, and --allow-origin names the one web origin it may serve`
    }
    // The allowed origin's own requests carry Sec-Fetch-* too; without an Origin they are a page's
    // no-cors requests (an <img>, a form navigation), which no allowed UI needs.
    for (const name of origin === undefined ? ['Sec-Fetch-Site', 'Sec-Fetch-Mode'] : []) {
      const value = headers[name.toLowerCase()]
      if (value !== undefined) return `swarmgate: refused: a request from a web page (${name}: ${String(value)})`
    }
    const host = headers.host
    if (listener === 'tcp' && host !== undefined && !isOwnName(hostName(host), opts.listenHost)) {
      return `swarmgate: refused: Host ${host} is not this proxy's address (DNS rebinding); use DOCKER_HOST=tcp://127.0.0.1:PORT`
    }
    return undefined
  }
}
