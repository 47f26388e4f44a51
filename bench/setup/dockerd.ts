/**
 * The benchmark's own dockerd. Other engineers' tests use the shared engine on
 * /var/run/docker.sock while the benchmark runs, so it is never touched: every path is measured
 * against this second daemon instead, with its own data root, exec root (and so its own
 * supervised containerd), pid file, unix socket and a TLS listener on loopback. It has no bridge
 * and sets no iptables rules (containers run with --network none), so it changes nothing on the
 * host's network. stop() removes its containers, ends it with SIGTERM, waits until it is gone and
 * deletes its directories.
 */
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Pool } from 'undici'
import { createDockerdTls, type TlsFiles } from './certs.js'
import { freePort } from './ports.js'
import { startHelper, type Helper } from './child.js'
import { waitFor } from '../../test/testbed/wait.js'
import { docker } from '../../test/testbed/docker.js'
import { runChecked } from '../../test/testbed/process.js'
import { randomBytes } from 'node:crypto'

export interface BenchDaemon {
  readonly socket: string
  readonly dataRoot: string
  readonly tlsPort: number
  readonly tls: TlsFiles
  readonly pid: number
  readonly logFile: string
  stop (): Promise<void>
}

/** Starts dockerd with everything under `dir` and waits until its socket answers. */
export async function startBenchDaemon (dir: string): Promise<BenchDaemon> {
  const tlsDir = join(dir, 'tls')
  await mkdir(tlsDir, { recursive: true })
  const tls = await createDockerdTls(tlsDir)
  const socket = join(dir, 'bench-docker.sock')
  const tlsPort = await freePort()
  const logFile = join(dir, 'dockerd.log')
  const dataRoot = join(dir, 'data')
  // A bridge of its own: a dockerd in this network namespace with --bridge=none deletes the link
  // named docker0, the shared engine's default bridge, and every container on it fails after.
  const bridge = `sgb${randomBytes(4).toString('hex')}`
  await runChecked('ip', ['link', 'add', bridge, 'type', 'bridge'], { timeoutMs: 10_000 })
  const helper = startHelper('dockerd', 'dockerd', [
    '--data-root', dataRoot,
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${socket}`,
    '-H', `tcp://127.0.0.1:${tlsPort}`,
    '--tlsverify', '--tlscacert', tls.caPem, '--tlscert', tls.serverCert, '--tlskey', tls.serverKey,
    `--bridge=${bridge}`, '--iptables=false', '--ip-masq=false',
    // Only matters where a system containerd runs on /run/containerd: the benchmark's
    // containers then live in namespaces of their own instead of the shared engine's "moby".
    '--containerd-namespace', 'swarmgate-bench', '--containerd-plugins-namespace', 'swarmgate-bench-plugins'
  ], logFile, { graceMs: 60_000 })
  const stop = async (): Promise<void> => {
    if (helper.running()) {
      // Running containers would each take their stop timeout at shutdown.
      const ids = await docker(['ps', '-aq'], { host: `unix://${socket}`, timeoutMs: 30_000 }).catch(() => '')
      if (ids !== '') await docker(['rm', '-f', ...ids.split('\n')], { host: `unix://${socket}`, timeoutMs: 60_000 }).catch(() => '')
    }
    await helper.stop()
    await runChecked('ip', ['link', 'del', bridge], { timeoutMs: 10_000 }).catch(() => '')
    await rm(dataRoot, { recursive: true, force: true }).catch(() => {})
  }
  try {
    const ping = new Pool('http://docker', { socketPath: socket, connections: 1 })
    try {
      await waitFor('the benchmark dockerd to answer', async () => {
        if (!helper.running()) throw new Error(`dockerd exited:\n${helper.logTail()}`)
        const res = await ping.request({ path: '/_ping', method: 'GET' })
        await res.body.dump()
        return res.statusCode === 200 ? true : undefined
      }, { timeoutMs: 60_000, intervalMs: 250 })
    } finally {
      await ping.close()
    }
  } catch (err) {
    await stop()
    throw err
  }
  return { socket, dataRoot, tlsPort, tls, pid: helper.pid, logFile, stop }
}

/**
 * The engine of an isolated run (scripts/isolated-engine.sh --by-hand) as the benchmark's engine,
 * for the deployed chain, which needs a swarm and the default bridge: its socket, and its TLS
 * listener (tcp://127.0.0.1:PORT with the by-hand CA) for the mTLS path. It belongs to the
 * isolated run, so stop() leaves it running (the namespaces end it).
 */
export async function isolatedEngine (): Promise<BenchDaemon> {
  const host = process.env.SWARMGATE_BENCH_MTLS_HOST ?? ''
  const certs = process.env.DOCKER_CERT_PATH ?? ''
  const port = Number(/^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(host)?.[1])
  if (process.env.SWARMGATE_ISOLATED_ENGINE === undefined || !Number.isInteger(port) || certs === '') {
    throw new Error('--deployed runs only in an isolated engine started by hand, for its TLS listener: bash scripts/isolated-engine.sh --by-hand -- npm run bench -- --deployed')
  }
  const socket = '/var/run/docker.sock'
  const dataRoot = await docker(['info', '--format', '{{.DockerRootDir}}'], { host: `unix://${socket}`, timeoutMs: 30_000 })
  const pid = Number(await readFile('/run/by-hand-dockerd.pid', 'utf8').catch(() => '0'))
  const tls: TlsFiles = { clientDir: certs, caPem: join(certs, 'ca.pem'), serverCert: join(certs, 'cert.pem'), serverKey: join(certs, 'key.pem') }
  return { socket, dataRoot, tlsPort: port, tls, pid, logFile: process.env.SWARMGATE_DOCKERD_LOG ?? '', stop: async () => {} }
}
