/**
 * Conformance (issue #3, item 7, without the registry): the big and binary bodies. docker cp both
 * ways (tar archives, byte for byte) and a missing path's error; a classic-builder build with a
 * context over 100 MB, and one that sends many saved registry logins in a 40 KB header; docker save and load (from a file and from stdin); docker export and
 * import. Byte-exact comparisons are made on files, since the CLI's output here is binary.
 */
import t from 'tap'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { gunzipSync } from 'node:zlib'
import { BUSYBOX_IMAGE, TEST_LABEL, docker, runDocker, useEngine } from '../testbed/index.js'
import { socketDocker, logsOnFailure, startChain, type Chain } from '../harness/chain.js'
import { CONTAINER_ARGS } from '../harness/containers.js'
import { expectSameAsSocket } from '../harness/compare.js'
import { rawCall } from '../harness/raw-call.js'

useEngine(t)

const BUILD_CONTEXT_BYTES = 105 * 1024 * 1024

let chain: Chain
let work: string
let box: string
const run = randomBytes(4).toString('hex')
const images: string[] = []
const image = (what: string): string => { const i = `swarmgate-test/conformance-${what}:${run}`; images.push(i); return i }

const sha256 = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex')

t.before(async () => {
  chain = await startChain()
  work = await mkdtemp(join(tmpdir(), 'swarmgate-conformance-files-'))
  box = `sg-conf-files-${run}`
  await docker(['run', '-d', ...CONTAINER_ARGS, '--name', box, BUSYBOX_IMAGE, 'sh', '-c', 'mkdir -p /data/sub; echo hello > /data/hello.txt; echo deep > /data/sub/deep.txt; sleep 600'])
})
t.teardown(async () => {
  await docker(['rm', '-f', box]).catch(() => {})
  if (images.length > 0) await runDocker(['rmi', '-f', ...images])
  logsOnFailure(t, chain)
  await chain?.close()
  if (work !== undefined) await rm(work, { recursive: true, force: true })
})

t.test('7. docker cp into a container and out of it', { timeout: 60_000 }, async (t) => {
  const src = join(work, 'cp-src')
  await mkdir(join(src, 'nested'), { recursive: true })
  const blob = randomBytes(3 * 1024 * 1024)
  await writeFile(join(src, 'blob.bin'), blob)
  await writeFile(join(src, 'nested', 'note.txt'), 'note\n')
  await expectSameAsSocket(t, chain, ['cp', src, `${box}:/tmp/`])
  const sum = await chain.docker(['exec', box, 'md5sum', '/tmp/cp-src/blob.bin'])
  t.equal(sum.stdout.split(' ')[0], createHash('md5').update(blob).digest('hex'), 'the copied file arrived intact')

  // Out: the archive the engine sends, byte for byte, as a file and as a tar stream on stdout.
  const out = { chain: join(work, 'out-chain'), socket: join(work, 'out-socket') }
  await mkdir(out.chain)
  await mkdir(out.socket)
  t.equal((await chain.docker(['cp', `${box}:/data`, out.chain])).code, 0)
  t.equal((await socketDocker(['cp', `${box}:/data`, out.socket])).code, 0)
  for (const file of ['hello.txt', 'sub/deep.txt']) {
    t.equal(await readFile(join(out.chain, 'data', file), 'utf8'), await readFile(join(out.socket, 'data', file), 'utf8'), `data/${file} copied out the same`)
  }
  const tars = await expectSameAsSocket(t, chain, ['cp', `${box}:/tmp/cp-src`, '-'])
  t.match(tars.chain.stdout, /cp-src\/nested\/note\.txt[^]*note\n/, 'the tar stream on stdout holds the whole tree')
})

t.test('7. the engine\'s gzip answer to a cp download passes compressed and unchanged', { timeout: 30_000 }, async (t) => {
  // The CLI asks with Accept-Encoding: gzip and the engine compresses GET .../archive; a proxy that
  // decompressed (fetch() does) or dropped Content-Encoding would break docker cp.
  const path = `/v1.41/containers/${box}/archive?path=/bin/busybox`
  const [socket, through] = await Promise.all([rawCall('socket', 'GET', path, { 'accept-encoding': 'gzip' }), rawCall(chain, 'GET', path, { 'accept-encoding': 'gzip' })])
  t.equal(socket.headers['content-encoding'], 'gzip', 'the engine answers gzip')
  t.equal(through.status, socket.status)
  for (const h of ['content-encoding', 'content-type', 'x-docker-container-path-stat'] as const) t.equal(through.headers[h], socket.headers[h], `${h} passes unchanged`)
  t.equal(createHash('sha256').update(through.body).digest('hex'), createHash('sha256').update(socket.body).digest('hex'), `the compressed body arrives byte for byte (${through.body.length} bytes)`)
  t.equal(gunzipSync(through.body).length > 1_000_000, true, 'and is the gzip of the file\'s tar')
})

t.test('7. docker cp of a missing path shows the engine\'s error', { timeout: 30_000 }, async (t) => {
  // server-proxy forwards a call that names a container on the ID it checked (a rename in
  // between must not change which container it enters), so the engine names the ID.
  const id = (await docker(['inspect', '-f', '{{.Id}}', box])).trim()
  const r = await expectSameAsSocket(t, chain, ['cp', `${box}:/no/such/path`, join(work, 'nowhere')], { normalise: (s) => s.replaceAll(id, box) })
  t.equal(r.chain.code, 1)
  t.match(r.chain.stderr, /Error response from daemon: Could not find the file \/no\/such\/path/)
  await expectSameAsSocket(t, chain, ['cp', join(work, 'missing-local-file'), `${box}:/tmp/`])
})

t.test('7. docker build (classic builder) with a context over 100 MB', { timeout: 240_000 }, async (t) => {
  const context = join(work, 'build')
  await mkdir(context)
  await writeFile(join(context, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nLABEL ${TEST_LABEL}=true\nCOPY big.bin /big.bin\n`)
  const digest = createHash('md5')
  const big = createWriteStream(join(context, 'big.bin'))
  for (let written = 0; written < BUILD_CONTEXT_BYTES; written += 1024 * 1024) {
    const chunk = randomBytes(1024 * 1024)
    digest.update(chunk)
    if (!big.write(chunk)) await once(big, 'drain')
  }
  big.end()
  await once(big, 'finish')

  const tag = image('build')
  // Through the chain first: it does the work. The socket's build of the same context then comes
  // from the build cache and yields the same image id only if the context arrived byte for byte.
  const built = await expectSameAsSocket(t, chain, ['build', '-q', '-t', tag, context], { timeoutMs: 200_000 })
  t.match(built.chain.stdout, /^sha256:[0-9a-f]{64}\n$/, 'the build printed the image id')
  const inside = await chain.docker(['run', '--rm', ...CONTAINER_ARGS, tag, 'md5sum', '/big.bin'], { timeoutMs: 60_000 })
  t.equal(inside.stdout.split(' ')[0], digest.digest('hex'), 'the 105 MB file in the image is the one sent')
  await expectSameAsSocket(t, chain, ['build', '-q', '-f', 'no-such-Dockerfile', context], { timeoutMs: 200_000 })
})

t.test('7. docker build with many saved registry logins (X-Registry-Config over 16 KiB)', { timeout: 120_000 }, async (t) => {
  const context = join(work, 'build-logins')
  await mkdir(context)
  await writeFile(join(context, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nLABEL ${TEST_LABEL}=true\n`)
  // A login per registry with a long token, as cloud registries issue them: the classic builder
  // sends every saved login in one header. The registries are never contacted.
  const auths = Object.fromEntries(Array.from({ length: 12 }, (_, i) =>
    [`registry-${i}.invalid`, { auth: Buffer.from(`user:${randomBytes(1536).toString('base64')}`).toString('base64') }]))
  const config = join(work, 'many-logins')
  await mkdir(config)
  await writeFile(join(config, 'config.json'), JSON.stringify({ auths }))
  const built = await expectSameAsSocket(t, chain, ['build', '-q', '-t', image('logins'), context], { env: { DOCKER_CONFIG: config }, timeoutMs: 100_000 })
  t.match(built.chain.stdout, /^sha256:[0-9a-f]{64}\n$/, 'the build printed the image id')
})

t.test('7. docker save | docker load, from a file and from stdin', { timeout: 120_000 }, async (t) => {
  const tag = image('save')
  await docker(['tag', BUSYBOX_IMAGE, tag])
  const files = { chain: join(work, 'save-chain.tar'), socket: join(work, 'save-socket.tar') }
  t.equal((await chain.docker(['save', '-o', files.chain, tag], { timeoutMs: 60_000 })).code, 0)
  t.equal((await socketDocker(['save', '-o', files.socket, tag], { timeoutMs: 60_000 })).code, 0)
  t.equal(await sha256(files.chain), await sha256(files.socket), 'docker save writes the same archive')
  const streamed = await chain.docker(['save', tag], { timeoutMs: 60_000 })
  t.equal(streamed.code, 0, 'docker save to stdout')

  await docker(['rmi', tag])
  const fromFile = await expectSameAsSocket(t, chain, ['load', '-i', files.chain], { timeoutMs: 60_000 })
  t.equal(fromFile.chain.stdout, `Loaded image: ${tag}\n`)
  await docker(['rmi', tag])
  const fromStdin = await expectSameAsSocket(t, chain, ['load'], { input: await readFile(files.chain), timeoutMs: 60_000 })
  t.equal(fromStdin.chain.stdout, `Loaded image: ${tag}\n`)
  await expectSameAsSocket(t, chain, ['load'], { input: 'not a tar archive', timeoutMs: 60_000 })
})

t.test('7. docker export and docker import', { timeout: 120_000 }, async (t) => {
  const files = { chain: join(work, 'export-chain.tar'), socket: join(work, 'export-socket.tar') }
  t.equal((await chain.docker(['export', '-o', files.chain, box], { timeoutMs: 60_000 })).code, 0)
  t.equal((await socketDocker(['export', '-o', files.socket, box], { timeoutMs: 60_000 })).code, 0)
  t.equal(await sha256(files.chain), await sha256(files.socket), 'docker export writes the same archive')

  const fromFile = image('import-file')
  const fromStdin = image('import-stdin')
  const viaFile = await chain.docker(['import', '--change', `LABEL ${TEST_LABEL}=true`, files.chain, fromFile], { timeoutMs: 60_000 })
  const viaStdin = await chain.docker(['import', '-', fromStdin], { input: await readFile(files.chain), timeoutMs: 60_000 })
  for (const [what, r, tag] of [['a file', viaFile, fromFile], ['stdin', viaStdin, fromStdin]] as const) {
    t.match(r, { code: 0, stdout: /^sha256:[0-9a-f]{64}\n$/ }, `docker import from ${what} prints the new image id`)
    const check = await chain.docker(['run', '--rm', ...CONTAINER_ARGS, tag, '/bin/busybox', 'cat', '/data/hello.txt'])
    t.equal(check.stdout, 'hello\n', `the image imported from ${what} holds the container's files`)
  }
  await expectSameAsSocket(t, chain, ['export', 'sg-conf-files-no-such-container'])
})
