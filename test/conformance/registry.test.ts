/**
 * Conformance (issue #3, item 7, registry part): docker login, push and pull through the chain
 * against a real registry with htpasswd authentication (Debian's docker-registry on 127.0.0.1,
 * started by the test bed). Credentials travel in the X-Registry-Auth header, which must pass
 * unchanged. Each way has its own DOCKER_CONFIG, so a login through the chain proves itself.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUSYBOX_IMAGE, docker, runDocker, startRegistry, useEngine, type TestRegistry } from '../testbed/index.js'
import { socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'

useEngine(t)

let chain: Chain
let registry: TestRegistry
let configs: { chain: string, socket: string, none: string }
const run = randomBytes(4).toString('hex')
const images: string[] = []

t.before(async () => {
  chain = await startChain()
  registry = await startRegistry()
  const dir = await mkdtemp(join(tmpdir(), 'swarmgate-conformance-registry-'))
  configs = { chain: join(dir, 'chain'), socket: join(dir, 'socket'), none: join(dir, 'none') }
})
t.teardown(async () => {
  if (images.length > 0) await runDocker(['rmi', '-f', ...images])
  await registry?.stop()
  if (configs !== undefined) await rm(join(configs.chain, '..'), { recursive: true, force: true })
  logsOnFailure(t, chain)
  await chain?.close()
})

/** The image name in the test registry for `tag`; removed again in teardown. */
const remote = (tag: string): string => { const i = `${registry.address}/swarmgate-test/busybox:${tag}-${run}`; images.push(i); return i }
/** The CLI names its own config file in a warning; that path differs between the two ways. */
const configPath = (s: string): string => s.replace(/\/tmp\/swarmgate-conformance-registry-[^/]+\/(chain|socket)\//g, '<config>/')
/** The digest line of a push: the registry's name for what it received. */
const pushedDigest = (s: string): string | undefined => /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(s)?.[1]

t.test('7. docker login with a wrong password shows the registry\'s refusal', { timeout: 60_000 }, async (t) => {
  const r = await expectSameAsSocket(t, chain, ['login', '-u', registry.username, '--password-stdin', registry.address], {
    input: 'wrong-password', env: { DOCKER_CONFIG: configs.none }
  })
  t.not(r.chain.code, 0)
  t.match(r.chain.stderr, /Error response from daemon: .*unauthorized/i)
})

t.test('7. docker push without a login is refused as on the socket', { timeout: 60_000 }, async (t) => {
  const image = remote('noauth')
  await docker(['tag', BUSYBOX_IMAGE, image])
  const r = await expectSameAsSocket(t, chain, ['push', image], { env: { DOCKER_CONFIG: configs.none }, timeoutMs: 60_000 })
  t.not(r.chain.code, 0)
  t.match(r.chain.stderr, /no basic auth credentials/)
})

t.test('7. docker login, push and pull', { timeout: 120_000 }, async (t) => {
  const login = async (via: 'chain' | 'socket'): Promise<{ stdout: string, stderr: string, code: number | null }> => {
    const args = ['login', '-u', registry.username, '--password-stdin', registry.address]
    const opts = { input: registry.password, env: { DOCKER_CONFIG: configs[via] } }
    const r = via === 'chain' ? await chain.docker(args, opts) : await socketDocker(args, opts)
    return { stdout: configPath(r.stdout), stderr: configPath(r.stderr), code: r.code }
  }
  const viaChain = await login('chain')
  t.match(viaChain, { code: 0, stdout: /Login Succeeded/ }, 'docker login through the chain')
  t.same(viaChain, await login('socket'), 'the same as on the socket')

  const images2 = { chain: remote('chain'), socket: remote('socket') }
  await docker(['tag', BUSYBOX_IMAGE, images2.chain])
  await docker(['tag', BUSYBOX_IMAGE, images2.socket])
  const pushChain = await chain.docker(['push', images2.chain], { env: { DOCKER_CONFIG: configs.chain }, timeoutMs: 60_000 })
  t.equal(pushChain.code, 0, `docker push through the chain: ${pushChain.stderr}`)
  const pushSocket = await socketDocker(['push', images2.socket], { env: { DOCKER_CONFIG: configs.socket }, timeoutMs: 60_000 })
  t.ok(pushedDigest(pushChain.stdout), 'the push printed the registry\'s digest')
  t.equal(pushedDigest(pushChain.stdout), pushedDigest(pushSocket.stdout), 'the registry received the same manifest both ways')

  // Pull each back after removing the local tag.
  const pulled: Record<string, string> = {}
  for (const via of ['chain', 'socket'] as const) {
    await docker(['rmi', images2[via]])
    const args = ['pull', images2[via]]
    const opts = { env: { DOCKER_CONFIG: configs[via] }, timeoutMs: 60_000 }
    const r = via === 'chain' ? await chain.docker(args, opts) : await socketDocker(args, opts)
    t.equal(r.code, 0, `docker pull (${via}): ${r.stderr}`)
    pulled[via] = r.stdout.replaceAll(`${via}-${run}`, `<way>-${run}`)
  }
  t.equal(pulled.chain, pulled.socket, 'docker pull prints the same through the chain')
  const ran = await chain.docker(['run', '--rm', ...CONTAINER_ARGS, images2.chain, 'echo', 'pulled'])
  t.equal(ran.stdout, 'pulled\n', 'the pulled image runs')

  const logout = await expectSameAsSocket(t, chain, ['logout', registry.address], { env: { DOCKER_CONFIG: configs.none } })
  t.equal(logout.chain.code, 0)
})
