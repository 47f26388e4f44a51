/**
 * Puts the relay in front of node:http on a server: every accepted connection (the TLS one for
 * https) goes to the relay first, and a connection the relay hands over goes to node:http's own
 * connection handler as if it had just been accepted, with the bytes the relay read put back.
 * The server's other connection listeners (tracking, guards) still see every connection.
 */
import type http from 'node:http'
import tls from 'node:tls'
import type { Duplex } from 'node:stream'

type ConnectionListener = (socket: Duplex) => void

/** Makes `relay` the first taker of `server`'s connections; `careful` hands one on to node:http. */
export function interceptConnections (server: http.Server, relay: (socket: Duplex, careful: ConnectionListener) => void): void {
  const event = server instanceof tls.Server ? 'secureConnection' : 'connection'
  // node:http registers its handler when the server is made, before anyone else can.
  const httpListener = server.listeners(event)[0] as ConnectionListener | undefined
  if (httpListener === undefined) throw new Error(`the server has no ${event} handler to put the relay in front of`)
  server.removeListener(event, httpListener)
  const careful: ConnectionListener = (socket) => { httpListener.call(server, socket) }
  server.prependListener(event, (socket: Duplex) => { relay(socket, careful) })
}
