/**
 * A private image registry on 127.0.0.1 for push and pull tests: Debian's docker-registry (the
 * distribution project's registry) with htpasswd authentication, so X-Registry-Auth is exercised.
 * The engine trusts registries on 127.0.0.0/8 without TLS.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { errors } from './errors.js'
import { runChecked } from './process.js'
import { waitFor } from './wait.js'

export interface TestRegistry {
  /** host:port to tag images with, e.g. 127.0.0.1:40123/swarmgate-test/x. */
  readonly address: string
  readonly username: string
  readonly password: string
  /** Stops the registry and removes its storage. */
  stop: () => Promise<void>
}

/** A port nobody listens on at the moment of asking; the registry cannot be started on port 0. */
async function freePort (): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Status of GET /v2/, the registry's API root: 401 once it runs with authentication. */
async function apiStatus (address: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = http.get(`http://${address}/v2/`, { timeout: 2_000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
  })
}

/** Starts a registry on a free 127.0.0.1 port with one account; call stop() in teardown. */
export async function startRegistry (): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-registry-'))
  const username = 'swarmgate-test'
  const password = randomBytes(12).toString('base64url')
  const address = `127.0.0.1:${await freePort()}`
  // bcrypt, the only hash the registry accepts; the password goes through standard input.
  await writeFile(join(dir, 'htpasswd'), await runChecked('htpasswd', ['-niB', username], { input: password }))
  await writeFile(join(dir, 'config.yml'), [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'auth:',
    '  htpasswd:',
    '    realm: swarmgate-test',
    `    path: ${join(dir, 'htpasswd')}`,
    ''
  ].join('\n'))

  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4096) })
  const exited = once(child, 'exit')
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await exited
      clearTimeout(killer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await waitFor(`the registry on ${address} to answer`, async () => {
      if (child.exitCode !== null) throw errors.SG_ERR_TESTBED_REGISTRY(`docker-registry exited ${child.exitCode}: ${stderr.trim()}`)
      return await apiStatus(address) === 401 ? true : undefined
    }, { timeoutMs: 20_000, intervalMs: 200 })
  } catch (err) {
    await stop()
    throw errors.SG_ERR_TESTBED_REGISTRY(`${(err as Error).message}; docker-registry said: ${stderr.trim()}`, err)
  }
  return { address, username, password, stop }
}
