import t from 'tap'
import http from 'node:http'
import { once } from 'node:events'
import { createHash, randomBytes } from 'node:crypto'
import { rawServer, socketPath, startFront } from './upstreams.js'

t.test('response headers are flushed before any body byte (docker run waits for /wait headers)', async (t) => {
  const sock = await socketPath()
  let release: () => void = () => {}
  const up = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.flushHeaders()
    release = () => res.end('{"StatusCode":0}')
  })
  await new Promise<void>((resolve) => up.listen(sock.path, resolve))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); up.close(); await sock.remove() })

  const req = http.request({ port: front.port, method: 'POST', path: '/containers/x/wait' })
  req.end()
  const [res] = await once(req, 'response') as [http.IncomingMessage]
  t.equal(res.statusCode, 200, 'headers arrived while the upstream holds the body back')
  release()
  let body = ''
  for await (const chunk of res) body += String(chunk)
  t.equal(body, '{"StatusCode":0}')
})

t.test('a client that goes away aborts the upstream call', async (t) => {
  const sock = await socketPath()
  const upstreamClosed = new Promise<void>((resolve) => {
    const up = http.createServer((_req, res) => {
      res.writeHead(200).write('first line\n')
      res.on('close', () => resolve())
    })
    up.listen(sock.path)
    t.teardown(() => { up.close() })
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); await sock.remove() })

  const req = http.get({ port: front.port, path: '/containers/x/logs?follow=1' })
  const [res] = await once(req, 'response') as [http.IncomingMessage]
  await once(res, 'data')
  req.destroy()
  await upstreamClosed
  t.pass('the upstream response was closed')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(front.outcomes[0], { kind: 'forwarded', clientAborted: true })
})

t.test('large bodies stream both ways unchanged', async (t) => {
  const sock = await socketPath()
  const up = http.createServer((req, res) => {
    const hash = createHash('sha256')
    let n = 0
    req.on('data', (c: Buffer) => { hash.update(c); n += c.length })
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      // Echo a digest, then 32 MiB generated on the fly.
      res.write(`${n} ${hash.digest('hex')}\n`)
      const block = Buffer.alloc(1 << 20, 7)
      let left = 32
      const pump = (): void => { while (left > 0) { left--; if (!res.write(block)) { res.once('drain', pump); return } } res.end() }
      pump()
    })
  })
  await new Promise<void>((resolve) => up.listen(sock.path, resolve))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); up.close(); await sock.remove() })

  const payload = randomBytes(24 << 20)
  const req = http.request({ port: front.port, method: 'POST', path: '/build', headers: { 'Content-Type': 'application/x-tar' } })
  for (let i = 0; i < payload.length; i += 1 << 20) req.write(payload.subarray(i, i + (1 << 20)))
  req.end()
  const [res] = await once(req, 'response') as [http.IncomingMessage]
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  const all = Buffer.concat(chunks)
  const nl = all.indexOf(10)
  t.equal(all.subarray(0, nl).toString(), `${payload.length} ${createHash('sha256').update(payload).digest('hex')}`, 'upload arrived whole (chunked)')
  t.equal(all.length - nl - 1, 32 << 20, 'download arrived whole')
})

t.test('an unreachable upstream is reported as failed before anything was sent', async (t) => {
  const sock = await socketPath()
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); await sock.remove() })
  const req = http.get({ port: front.port, path: '/_ping' })
  const [res] = await once(req, 'response') as [http.IncomingMessage]
  res.resume()
  t.equal(res.statusCode, 502)
  t.match(front.outcomes[0], { kind: 'failed', responded: false, error: { code: 'ENOENT' } })
})

t.test('an upload sent with Expect: 100-continue gets 100 from the forwarder and goes upstream without Expect', async (t) => {
  const sock = await socketPath()
  const seen: Array<{ expect: string | undefined, bytes: number }> = []
  const up = http.createServer((req, res) => {
    let bytes = 0
    req.on('data', (c: Buffer) => { bytes += c.length })
    req.on('end', () => { seen.push({ expect: req.headers.expect, bytes }); res.end('{"stream":"Loaded"}') })
  })
  await new Promise<void>((resolve) => up.listen(sock.path, resolve))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); up.close(); await sock.remove() })

  const payload = randomBytes(1 << 20)
  // What curl does for a large -T upload.
  const req = http.request({ port: front.port, method: 'POST', path: '/images/load', headers: { 'Content-Type': 'application/x-tar', 'Content-Length': String(payload.length), Expect: '100-continue' } })
  // Listen for the answer first: a refusal comes in the same read as the 100.
  const answered = once(req, 'response') as Promise<[http.IncomingMessage]>
  await once(req, 'continue')
  req.end(payload)
  const [res] = await answered
  let body = ''
  for await (const chunk of res) body += String(chunk)
  t.equal(res.statusCode, 200)
  t.equal(body, '{"stream":"Loaded"}')
  t.same(seen, [{ expect: undefined, bytes: payload.length }], 'the whole body arrived, without the Expect header')
})

t.test('HEAD keeps the upstream connection (the docker CLI starts every command with HEAD /_ping)', async (t) => {
  const sock = await socketPath()
  let connections = 0
  const up = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '2' })
    res.end(req.method === 'HEAD' ? undefined : 'OK')
  })
  up.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => up.listen(sock.path, resolve))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); up.close(); await sock.remove() })

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  t.teardown(() => agent.destroy())
  const call = async (method: string): Promise<[number | undefined, string]> => {
    const req = http.request({ port: front.port, method, path: '/_ping', agent })
    req.end()
    const [res] = await once(req, 'response') as [http.IncomingMessage]
    let body = ''
    for await (const chunk of res) body += String(chunk)
    return [res.statusCode, body]
  }
  t.same(await call('HEAD'), [200, ''])
  t.same(await call('GET'), [200, 'OK'])
  t.same(await call('HEAD'), [200, ''])
  t.same(await call('GET'), [200, 'OK'])
  t.equal(connections, 1, 'all four calls went over one upstream connection')
})

t.test('resendWhenLost: a call without a body whose connection ends before any answer is sent once more', async (t) => {
  const sock = await socketPath()
  // The first connection is cut as its request arrives (an engine closing a kept connection, or
  // dying); the ones after it answer.
  let connections = 0
  const requests: string[] = []
  const up = await rawServer(sock.path, (socket) => {
    const first = ++connections === 1
    socket.on('data', (chunk: Buffer) => {
      requests.push(chunk.toString('latin1').split('\r\n')[0] ?? '')
      if (first) { socket.destroy(); return }
      socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK')
    })
  })
  t.teardown(async () => { up.close(); await sock.remove() })
  const call = async (port: number, method: string, body?: string): Promise<number | undefined> => {
    const req = http.request({ port, method, path: '/containers/json', agent: false })
    req.end(body)
    const [res] = await once(req, 'response') as [http.IncomingMessage]
    res.resume()
    return res.statusCode
  }

  const resending = await startFront(sock.path, { resendWhenLost: true })
  t.teardown(async () => { await resending.close() })
  t.equal(await call(resending.port, 'GET'), 200, 'answered by the second connection')
  t.same(requests, ['GET /containers/json HTTP/1.1', 'GET /containers/json HTTP/1.1'], 'the call reached the upstream twice')
  t.match(resending.outcomes, [{ kind: 'forwarded', status: 200 }])

  connections = 0
  requests.length = 0
  t.equal(await call(resending.port, 'POST', '{"a":1}'), 502, 'a call with a body is never sent again')
  t.same(requests, ['POST /containers/json HTTP/1.1'])

  connections = 0
  requests.length = 0
  const plain = await startFront(sock.path)
  t.teardown(async () => { await plain.close() })
  t.equal(await call(plain.port, 'GET'), 502, 'without the option the loss is the outcome')
  t.match(plain.outcomes, [{ kind: 'failed', responded: false }])
  t.equal(requests.length, 1)
})
