import t from 'tap'
import net from 'node:net'
import { once } from 'node:events'
import { rawServer, socketPath, startFront } from './upstreams.js'

/** Reads from a socket until `predicate` holds for everything read so far, or the socket ends. */
async function readUntil (socket: net.Socket, predicate: (text: string) => boolean): Promise<string> {
  return await new Promise((resolve) => {
    let text = ''
    const onData = (chunk: Buffer): void => {
      text += String(chunk)
      if (predicate(text)) { done(); resolve(text) }
    }
    const onEnd = (): void => { done(); resolve(text) }
    const done = (): void => { socket.off('data', onData); socket.off('end', onEnd); socket.pause() }
    socket.on('data', onData)
    socket.once('end', onEnd)
    socket.resume()
  })
}

t.test('hijack: body sent with the upgrade, 101 passed through, half-close both ways, full close', async (t) => {
  const sock = await socketPath()
  const upstreamEvents: string[] = []
  let upstreamSocket: net.Socket | undefined
  const server = await rawServer(sock.path, (socket) => {
    upstreamSocket = socket
    let buffered = ''
    socket.on('data', (chunk: Buffer) => {
      buffered += String(chunk)
      const end = buffered.indexOf('\r\n\r\n')
      if (end === -1 || upstreamEvents.length > 0) return
      const head = buffered.slice(0, end)
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0)
      if (buffered.length < end + 4 + length) return
      upstreamEvents.push(`body:${buffered.slice(end + 4, end + 4 + length)}`)
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
      socket.write('output before stdin ends\n')
    })
    socket.on('end', () => {
      // The client closed its write side (stdin ended): answer, then close ours.
      upstreamEvents.push('end')
      socket.end('output after stdin ended\n')
    })
    socket.on('close', () => upstreamEvents.push('close'))
  })
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); server.close(); await sock.remove() })

  const client = net.connect({ port: front.port, host: '127.0.0.1', allowHalfOpen: true })
  await once(client, 'connect')
  const body = '{"Detach":false,"Tty":false}'
  client.write(`POST /exec/abc/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  const first = await readUntil(client, (s) => s.includes('output before stdin ends\n'))
  t.match(first, /^HTTP\/1\.1 101 UPGRADED\r\n/, 'the engine\'s answer passes byte for byte')
  t.same(upstreamEvents, [`body:${body}`], 'the body that came with the upgrade reached the upstream')

  client.end()
  const rest = await readUntil(client, () => false)
  t.equal(rest, 'output after stdin ended\n', 'output after the half-close still arrives')
  await once(client, 'close')
  t.same(upstreamEvents, [`body:${body}`, 'end', 'close'])
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(front.outcomes.at(-1), { status: 101 })
  t.ok(upstreamSocket?.destroyed)
})

t.test('a client that goes away destroys the upstream connection', async (t) => {
  const sock = await socketPath()
  const closed = new Promise<void>((resolve) => {
    void rawServer(sock.path, (socket) => {
      socket.once('data', () => socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'))
      // The proxy closing its side shows up here as the end of input.
      socket.on('end', () => resolve())
    }).then((server) => t.teardown(() => { server.close() }))
  })
  await new Promise((resolve) => setTimeout(resolve, 50))
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); await sock.remove() })
  const client = net.connect({ port: front.port, host: '127.0.0.1' })
  client.write('POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
  await readUntil(client, (s) => s.includes('\r\n\r\n'))
  client.destroy()
  await closed
  t.pass('the proxy closed the upstream connection after the client vanished')
})

t.test('an unreachable upstream answers the upgrade with a Docker-style 502', async (t) => {
  const sock = await socketPath()
  const front = await startFront(sock.path)
  t.teardown(async () => { await front.close(); await sock.remove() })
  const client = net.connect({ port: front.port, host: '127.0.0.1' })
  client.write('POST /exec/x/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 2\r\n\r\n{}')
  const answer = await readUntil(client, () => false)
  t.match(answer, /^HTTP\/1\.1 502 Bad Gateway\r\n/)
  t.match(answer, /Content-Type: application\/json\r\n/)
  t.match(answer, /"message":"swarmgate: cannot connect to the Docker engine at unix:/)
})
