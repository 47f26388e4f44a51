/**
 * Where a program finds its Docker engine: DOCKER_HOST as the docker CLI reads it (unix:// or
 * tcp://, with TLS when DOCKER_TLS_VERIFY is set), the mounted socket otherwise.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SwarmgateError } from '../errors.js'
import type { OptionSpec } from '../config.js'

export const DEFAULT_ENGINE_SOCKET = '/var/run/docker.sock'

export type EngineAddress =
  | { readonly kind: 'unix', readonly path: string, readonly url: string }
  | { readonly kind: 'tcp', readonly host: string, readonly port: number, readonly url: string, readonly tls?: { readonly ca: string, readonly cert: string, readonly key: string } }

export interface EngineAddressOptions {
  /** DOCKER_TLS_VERIFY: verify the engine with the CA and present the client certificate. */
  readonly tlsVerify?: boolean
  /** DOCKER_CERT_PATH: folder with ca.pem, cert.pem and key.pem. */
  readonly certPath?: string
}

/**
 * The flags and environment of the engine connection, as the docker CLI names them, for programs
 * that talk to an engine (registration, client): spread into their option declarations.
 * `dockerHostHelp` says what that program uses the engine for.
 */
export function engineConnectionOptions (dockerHostHelp: string) {
  return {
    dockerHost: { kind: 'string', flag: '--docker-host', env: 'DOCKER_HOST', value: 'URL', help: dockerHostHelp },
    tlsVerify: { kind: 'boolean', flag: '--tlsverify', env: 'DOCKER_TLS_VERIFY', help: 'Talk to a tcp:// engine over TLS' },
    certPath: { kind: 'string', flag: '--cert-path', env: 'DOCKER_CERT_PATH', value: 'DIR', help: 'Folder with ca.pem, cert.pem and key.pem for --tlsverify' }
  } as const satisfies Record<string, OptionSpec>
}

/** Parses a DOCKER_HOST value (empty: the default socket). */
export function engineAddress (dockerHost: string | undefined, opts: EngineAddressOptions = {}): EngineAddress {
  const value = dockerHost === undefined || dockerHost === '' ? `unix://${DEFAULT_ENGINE_SOCKET}` : dockerHost
  if (value.startsWith('unix://')) return { kind: 'unix', path: value.slice('unix://'.length), url: value }
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(value)
  if (m === null) {
    throw new SwarmgateError('SG_ERR_ENGINE_ADDRESS', `DOCKER_HOST "${value}" is not an engine address this program can use; give unix:///path/to/docker.sock or tcp://host:port (ssh:// is not supported inside a container: mount the engine socket instead)`)
  }
  const host = (m[1] as string).replace(/^\[(.*)\]$/, '$1')
  const tlsVerify = opts.tlsVerify === true
  const port = m[2] === undefined ? (tlsVerify ? 2376 : 2375) : Number(m[2])
  if (!tlsVerify) return { kind: 'tcp', host, port, url: value }
  const dir = opts.certPath ?? '/root/.docker'
  try {
    const tls = { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') }
    return { kind: 'tcp', host, port, url: value, tls }
  } catch (err) {
    throw new SwarmgateError('SG_ERR_ENGINE_ADDRESS', `DOCKER_TLS_VERIFY is set but the TLS files in ${dir} cannot be read (${(err as Error).message}); mount that folder and set DOCKER_CERT_PATH`, { cause: err })
  }
}
