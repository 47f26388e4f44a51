/**
 * An exec started on server-proxy as the docker CLI starts one: `POST /exec/{id}/start` with
 * `Connection: Upgrade`, `Upgrade: tcp` and its JSON body, on a TLS connection of its own that
 * becomes the session once the 101 has come.
 */
import tls from 'node:tls'
import { once } from 'node:events'

/** Starts exec `id` through server-proxy at `port`; resolves with the open connection once the 101 has arrived, rejects on any other answer. */
export async function startHijackedExec (port: number, ca: string, id: string, accessToken: string): Promise<tls.TLSSocket> {
  const body = JSON.stringify({ Detach: false, Tty: false })
  const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
  socket.on('error', () => {})
  await once(socket, 'secureConnect')
  socket.write(`POST /v1.41/exec/${id}/start HTTP/1.1\r\nHost: docker\r\nAuthorization: Bearer ${accessToken}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  let head = ''
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = await once(socket, 'data') as [Buffer]
    head += chunk.toString('latin1')
  }
  if (!head.startsWith('HTTP/1.1 101')) throw new Error(`exec start answered ${head.split('\r\n')[0] ?? ''}`)
  return socket
}
