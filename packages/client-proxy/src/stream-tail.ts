/**
 * The last words of a stream cut because its manager was lost, in the place the docker CLI shows
 * them: a multiplexed stream (logs of a container without a TTY) gets a frame on the daemon's
 * error stream, which the CLI prints as `error from daemon in stream: ...`; a progress stream
 * (pull, push, build, load, plugin install) gets a JSON message with an error, which the CLI
 * prints as the command's error. Only at a frame or line boundary: words in the middle of one
 * would garble it. The logs of a container with a TTY are terminal text: the words are a line of
 * text. Events and hijacked sessions have no place for words and end with the cut alone.
 *
 * API 1.42 and later name a multiplexed stream by its Content-Type, and logs with a TTY are
 * `application/vnd.docker.raw-stream`; before, logs are raw-stream with or without a TTY, and
 * Docker 20.10 sends no Content-Type at all, so the first bytes tell: a frame header is a stream
 * number 0 to 3 and three zero bytes, which no terminal output begins with. A stream quiet since
 * its head (`logs -f` of a container that printed nothing yet) has no first bytes: the container's
 * own Config.Tty tells (ttyQuestion, tty; the docker CLI reads the answer the same way). Without
 * either, the CLI ends such a stream with `unexpected EOF`.
 */

const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream'
const RAW = 'application/vnd.docker.raw-stream'
const LOGS = /^(\/v([\d.]+))?\/containers\/([^/?]+)\/logs(?:\?|$)/
const FOLLOW = /[?&]follow=(?:1|true)(?:&|$)/i
/** The first API version whose logs name a multiplexed stream by its Content-Type. */
const NAMED_FROM = [1, 42] as const
const PROGRESS = /^(?:\/v[\d.]+)?\/(?:images\/create|images\/.+\/push|images\/load|build|plugins\/pull|plugins\/.+\/(?:upgrade|push))(?:\?|$)/
const HEADER = 8
/** The daemon's own stream in a multiplexed answer (moby stdcopy Systemerr). */
const SYSTEM_ERR = 3

type Kind = 'multiplexed' | 'maybe-multiplexed' | 'terminal' | 'progress' | 'none'

export class StreamTail {
  readonly #path: string
  #kind: Kind = 'none'
  /** Multiplexed: the frame header bytes read so far, and how much of the current frame's payload is still to come. */
  #header = Buffer.alloc(0)
  #payloadLeft = 0
  /** Progress: whether the last byte passed on ended a line. */
  #lineEnded = true

  constructor (path: string) {
    this.#path = path
  }

  /** The answer's raw headers: they say which kind of stream it is. */
  headers (rawHeaders: readonly Buffer[]): void {
    let type = ''
    for (let i = 0; i < rawHeaders.length; i += 2) {
      if (rawHeaders[i]?.toString('latin1').toLowerCase() === 'content-type') type = rawHeaders[i + 1]?.toString('latin1').split(';')[0]?.trim().toLowerCase() ?? ''
    }
    const logs = LOGS.exec(this.#path)
    if (type === MULTIPLEXED) this.#kind = 'multiplexed'
    else if (logs !== null && type === RAW && namesMultiplexed(logs[2])) this.#kind = 'terminal'
    else if (logs !== null && (type === RAW || type === '')) this.#kind = 'maybe-multiplexed'
    else if (type === 'application/json' && PROGRESS.test(this.#path)) this.#kind = 'progress'
    else this.#kind = 'none'
  }

  /**
   * The inspect call (path) whose Config.Tty would tell what the stream is, while nothing else
   * can (a followed logs stream of an API before 1.42, quiet since its head); else undefined.
   */
  ttyQuestion (): string | undefined {
    if (this.#kind !== 'maybe-multiplexed' || !FOLLOW.test(this.#path)) return undefined
    const logs = LOGS.exec(this.#path)
    return logs === null ? undefined : `${logs[1] ?? ''}/containers/${logs[3] ?? ''}/json`
  }

  /** The answer to ttyQuestion: whether the container has a TTY. Ignored once the stream's bytes told. */
  tty (hasTty: boolean): void {
    if (this.#kind === 'maybe-multiplexed') this.#kind = hasTty ? 'terminal' : 'multiplexed'
  }

  /** A chunk of the answer, as passed on to the client. */
  data (chunk: Buffer): void {
    if (this.#kind === 'progress') {
      this.#lineEnded = chunk.length === 0 ? this.#lineEnded : chunk[chunk.length - 1] === 0x0a
      return
    }
    if (this.#kind !== 'multiplexed' && this.#kind !== 'maybe-multiplexed') return
    let at = 0
    while (at < chunk.length) {
      if (this.#payloadLeft > 0) {
        const take = Math.min(this.#payloadLeft, chunk.length - at)
        this.#payloadLeft -= take
        at += take
        continue
      }
      const take = Math.min(HEADER - this.#header.length, chunk.length - at)
      this.#header = Buffer.concat([this.#header, chunk.subarray(at, at + take)])
      at += take
      if (this.#header.length < HEADER) break
      const header = this.#header
      this.#header = Buffer.alloc(0)
      if ((header[0] as number) > SYSTEM_ERR || header[1] !== 0 || header[2] !== 0 || header[3] !== 0) {
        // Not a frame: terminal output.
        this.#kind = 'terminal'
        return
      }
      this.#kind = 'multiplexed'
      this.#payloadLeft = header.readUInt32BE(4)
    }
  }

  /** The bytes that end the stream with `message`, when it has a place for them here; else undefined. */
  words (message: string): Buffer | undefined {
    if (this.#kind === 'progress' && this.#lineEnded) return Buffer.from(JSON.stringify({ errorDetail: { message }, error: message }) + '\r\n')
    // On its own line, whatever the terminal was doing: the CLI prints it as it is.
    if (this.#kind === 'terminal') return Buffer.from(`\r\n${message}\r\n`)
    if (this.#kind === 'multiplexed' && this.#payloadLeft === 0 && this.#header.length === 0) {
      const text = Buffer.from(message)
      const header = Buffer.alloc(HEADER)
      header[0] = SYSTEM_ERR
      header.writeUInt32BE(text.length, 4)
      return Buffer.concat([header, text])
    }
    return undefined
  }
}

/** True when logs asked at API `version` (the engine's own when none) name a multiplexed stream by its Content-Type. */
function namesMultiplexed (version: string | undefined): boolean {
  if (version === undefined) return true
  const [major = 0, minor = 0] = version.split('.').map(Number)
  return major > NAMED_FROM[0] || (major === NAMED_FROM[0] && minor >= NAMED_FROM[1])
}
