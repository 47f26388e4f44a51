import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packTar, unpackTarFiles } from '../src/tar.js'

const long = `swarms/${'n'.repeat(60)}/${'m'.repeat(60)}`

t.test('what packTar writes, GNU tar reads with modes intact, and unpackTarFiles reads back', async (t) => {
  const tar = packTar([
    { path: 'swarms', type: 'dir', mode: 0o700, uid: 10001, gid: 10001 },
    { path: long, type: 'dir', mode: 0o700, uid: 10001, gid: 10001 },
    { path: `${long}/refresh-token`, type: 'file', mode: 0o600, uid: 10001, gid: 10001, content: Buffer.from('token\n') }
  ])
  t.equal(tar.length % 512, 0)
  const dir = mkdtempSync(join(tmpdir(), 'tar-'))
  writeFileSync(join(dir, 'a.tar'), tar)
  const listing = execFileSync('tar', ['-tvf', join(dir, 'a.tar'), '--numeric-owner'], { encoding: 'utf8' })
  t.match(listing, /drwx------ 10001\/10001 .* swarms\//)
  t.match(listing, /-rw------- 10001\/10001 +6 .* swarms\/n{60}\/m{60}\/refresh-token/)
  mkdirSync(join(dir, 'out'))
  execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', join(dir, 'out')])
  t.equal(readFileSync(join(dir, 'out', long, 'refresh-token'), 'utf8'), 'token\n')
  t.equal(statSync(join(dir, 'out', long, 'refresh-token')).mode & 0o777, 0o600)
  t.same([...unpackTarFiles(tar)].map(([p, c]) => [p, c.toString()]), [[`${long}/refresh-token`, 'token\n']])
})

t.test('unpackTarFiles reads what GNU tar writes, pax and GNU long names included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-'))
  const deep = `${'d'.repeat(120)}/${'f'.repeat(90)}.json`
  mkdirSync(join(dir, 'src', 'd'.repeat(120)), { recursive: true })
  writeFileSync(join(dir, 'src', 'short.txt'), 'short')
  writeFileSync(join(dir, 'src', deep), '{"a":1}')
  for (const format of ['pax', 'gnu']) {
    execFileSync('tar', [`--format=${format}`, '-cf', join(dir, `${format}.tar`), '-C', join(dir, 'src'), '.'])
    const files = unpackTarFiles(readFileSync(join(dir, `${format}.tar`)))
    t.equal(files.get('short.txt')?.toString(), 'short', format)
    t.equal(files.get(deep)?.toString(), '{"a":1}', `${format}: long name`)
  }
})
