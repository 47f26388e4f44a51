import t from 'tap'
import { PassThrough, type Readable } from 'node:stream'
import { once } from 'node:events'
import { coalesce } from '../../src/forward/coalesce.js'

const read = async (body: Readable): Promise<Buffer[]> => {
  const chunks: Buffer[] = []
  for await (const c of body) chunks.push(c as Buffer)
  return chunks
}

t.test('chunks that arrive in one turn of the event loop come out as one, bytes unchanged', async (t) => {
  const source = new PassThrough()
  const out = coalesce(source)
  const parts = [Buffer.from('first '), Buffer.from('second '), Buffer.from('third')]
  for (const p of parts) source.write(p)
  setImmediate(() => { source.write(Buffer.from(' later')); source.end() })
  const chunks = await read(out)
  t.equal(Buffer.concat(chunks).toString(), 'first second third later')
  t.equal(chunks[0]?.toString(), 'first second third', 'the first turn\'s three chunks are one')
  t.ok(chunks.length <= 2)
})

t.test('an unread body pauses its source (backpressure is kept)', async (t) => {
  const source = new PassThrough({ highWaterMark: 1024 })
  const out = coalesce(source)
  out.pause()
  // One turn's worth of data, far over the output's 16 KiB buffer.
  for (let i = 0; i < 8; i++) source.write(Buffer.alloc(16 * 1024, i))
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(source.isPaused(), true, 'the source waits until the body is read')
  source.end()
  out.resume()
  const chunks = await read(out)
  t.equal(Buffer.concat(chunks).length, 8 * 16 * 1024, 'everything arrives once it is read')
})

t.test('a source that closes before its end fails the body', async (t) => {
  const source = new PassThrough()
  const out = coalesce(source)
  out.resume()
  source.write('partial')
  const failed = once(out, 'error')
  source.destroy()
  const [err] = await failed as [Error]
  t.match(err.message, /before the request body ended/)
})

t.test('destroying the body destroys its source', async (t) => {
  const source = new PassThrough()
  const out = coalesce(source)
  out.destroy()
  await once(source, 'close')
  t.equal(source.destroyed, true)
})
