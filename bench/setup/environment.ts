/**
 * Everything the measurements run against, set up once and torn down in reverse order:
 * the benchmark's own dockerd (test image copied from the shared engine, a >= 256 MB image built
 * in it, a long-running container C of that image), the SSH paths and the swarmgate chain; with
 * --deployed the isolated engine of the run instead of a dockerd, and the deployed chain on it.
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureBusyboxImage, BUSYBOX_IMAGE } from '../../test/testbed/busybox.js'
import { docker, ENGINE_SOCKET } from '../../test/testbed/docker.js'
import { runChecked } from '../../test/testbed/process.js'
import { startChain, type Chain } from '../../test/harness/chain.js'
import { isolatedEngine, startBenchDaemon, type BenchDaemon } from './dockerd.js'
import { startDeployed, type DeployedChain } from './deployed.js'
import { startSshPaths, type SshPaths } from './ssh.js'
import { benchPaths, type BenchPath } from './paths.js'

export const BIG_IMAGE = 'swarmgate-bench/big:latest'
export const ECHO_BYTES = 64 * 1024 * 1024
export const CONTAINER = 'swarmgate-bench-c'

export interface Environment {
  readonly dir: string
  readonly daemon: BenchDaemon
  readonly chain: Chain
  /** The same chain with both proxies on the fast path (--relay). */
  readonly relayChain: Chain
  /** The deployed chain, with --deployed. */
  readonly deployed: DeployedChain | undefined
  readonly paths: readonly BenchPath[]
  /** Files on the host: the 256 MB file for cp in, the 64 MB file for the echo, the saved big image for load, the big image's build context. */
  readonly files: { readonly big: string, readonly echo: string, readonly imageTar: string, readonly context: string }
  /** Bytes of the saved big image. */
  readonly imageBytes: number
  /** Bytes of the big file. */
  readonly bigBytes: number
  close (): Promise<void>
}

export interface EnvironmentOptions {
  /** Size of the random file in the big image, which is also the file copied in. */
  readonly bigBytes: number
  /** Node options for both proxies (profiling). */
  readonly proxyNodeArgs?: readonly string[]
  /** Use the isolated engine the run was started in and deploy swarmgate on it (bench/setup/deployed.ts). */
  readonly deployed?: boolean
  readonly log: (line: string) => void
}

/** Sets everything up; on failure tears down what was started and rethrows. */
export async function setUpEnvironment (opts: EnvironmentOptions): Promise<Environment> {
  // Short: dockerd's containerd socket lives below it and unix socket paths are limited to 107 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'sgb-'))
  const closers: Array<() => Promise<void>> = [async () => { await rm(dir, { recursive: true, force: true }) }]
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch((err: unknown) => { opts.log(`teardown: ${(err as Error).message}`) })
  }
  try {
    opts.log(opts.deployed === true ? 'using the isolated engine' : 'starting the benchmark dockerd')
    const daemon = opts.deployed === true ? await isolatedEngine() : await startBenchDaemon(dir)
    closers.push(daemon.stop)
    const bench = { host: `unix://${daemon.socket}`, timeoutMs: 5 * 60_000 }

    await ensureBusyboxImage()
    if (opts.deployed !== true) {
      opts.log(`copying ${BUSYBOX_IMAGE} from the shared engine`)
      await runChecked('bash', ['-c', `set -o pipefail; DOCKER_HOST=unix://${ENGINE_SOCKET} docker save ${BUSYBOX_IMAGE} | DOCKER_HOST=${bench.host} docker load -q`], { timeoutMs: 120_000 })
    }

    opts.log(`building ${BIG_IMAGE} (${opts.bigBytes / 2 ** 20} MiB of random data)`)
    const context = join(dir, 'context')
    const files = { big: join(context, 'big'), echo: join(dir, 'echo.bin'), imageTar: join(dir, 'big-image.tar'), context }
    await mkdir(context)
    await runChecked('bash', ['-c', `head -c ${opts.bigBytes} /dev/urandom > ${files.big} && head -c ${ECHO_BYTES} /dev/urandom > ${files.echo}` +
      ` && printf 'FROM ${BUSYBOX_IMAGE}\\nCOPY big /big\\n' > ${join(context, 'Dockerfile')}`], { timeoutMs: 60_000 })
    await docker(['build', '-q', '-t', BIG_IMAGE, context], bench)
    await docker(['save', '-o', files.imageTar, BIG_IMAGE], bench)
    const imageBytes = (await stat(files.imageTar)).size
    await docker(['run', '-d', '--network', 'none', '--name', CONTAINER, BIG_IMAGE, 'sleep', '86400'], bench)

    opts.log('starting sshd and the ssh tunnel')
    const ssh: SshPaths = await startSshPaths(join(dir, 'ssh'), daemon.socket)
    closers.push(ssh.stop)

    opts.log('starting the swarmgate chain')
    const chain = await startChain({
      engineSocket: daemon.socket,
      relay: false,
      processes: { nodeArgs: opts.proxyNodeArgs ?? [], maxLines: 2_000, logBatch: true }
    })
    closers.push(chain.close)
    const relayChain = await startChain({
      engineSocket: daemon.socket,
      relay: true,
      processes: { nodeArgs: opts.proxyNodeArgs ?? [], maxLines: 2_000, logBatch: true }
    })
    closers.push(relayChain.close)

    let deployed: DeployedChain | undefined
    if (opts.deployed === true) {
      deployed = await startDeployed(dir, opts.log)
      closers.push(deployed.close)
    }

    const paths = await benchPaths(daemon, ssh, chain, relayChain, deployed)
    // Every path must reach the benchmark's engine, never the shared one.
    for (const p of paths) {
      const root = await docker(['info', '--format', '{{.DockerRootDir}}'], { host: p.host, env: p.env, timeoutMs: 30_000 })
      if (root !== daemon.dataRoot) throw new Error(`${p.label} reaches the engine with data root ${root}, not the benchmark's ${daemon.dataRoot}`)
    }
    return { dir, daemon, chain, relayChain, deployed, paths, files, imageBytes, bigBytes: opts.bigBytes, close }
  } catch (err) {
    await close()
    throw err
  }
}
