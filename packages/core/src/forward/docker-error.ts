/**
 * Refusals and upstream failures in the shape the docker CLI understands: it prints
 * `Error response from daemon: <message>` only when Content-Type is exactly `application/json`
 * (with `; charset=utf-8` it prints the raw body instead).
 */
import type { ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { STATUS_CODES } from 'node:http'
import { MAX_HEADER_BYTES } from './headers.js'

/** The JSON body of a Docker-style error. */
export function dockerErrorBody (message: string): string {
  return JSON.stringify({ message })
}

/** Sends a Docker-style error on a response that has not started yet. */
export function sendDockerError (res: ServerResponse, statusCode: number, message: string, extraHeaders: Record<string, string> = {}): void {
  const body = dockerErrorBody(message)
  res.writeHead(statusCode, {
    ...extraHeaders,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body)
  })
  res.end(body)
}

/** Writes a Docker-style error as a raw HTTP/1.1 response on a socket taken by an upgrade, then ends it. */
export function writeDockerErrorToSocket (socket: Duplex, statusCode: number, message: string, extraHeaders: Record<string, string> = {}): void {
  const body = dockerErrorBody(message)
  const lines = [`HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}`]
  for (const [k, v] of Object.entries(extraHeaders)) lines.push(`${k}: ${v}`)
  lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body)
  socket.end(lines.join('\r\n'))
}

/**
 * The servers' 'clientError' handler: a request node:http could not read (a head over
 * MAX_HEADER_BYTES, broken syntax) gets a Docker-style answer, as the engine gives one, instead of
 * a dropped connection. Nothing is written where an answer has already started or the peer left.
 */
export function answerClientError (err: Error & { code?: string }, socket: Duplex & { _httpMessage?: { headersSent?: boolean } | null }): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent === true) {
    socket.destroy()
    return
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    writeDockerErrorToSocket(socket, 431, `swarmgate: the request's headers are larger than ${MAX_HEADER_BYTES / (1024 * 1024)} MiB, the most the Docker engine accepts`)
  } else {
    writeDockerErrorToSocket(socket, 400, `swarmgate: the request could not be read (${err.code ?? err.message})`)
  }
}
