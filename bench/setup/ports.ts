/** Loopback ports for programs that cannot listen on port 0 and say which port they got (dockerd, sshd, ssh -L). */
import net from 'node:net'

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** True when something accepts connections on 127.0.0.1:`port`. */
export async function portOpen (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true) })
    s.on('error', () => resolve(false))
  })
}
