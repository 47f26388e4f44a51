/**
 * What a client sends on an upgrade connection before the engine has answered: the request's own
 * body goes up at once (exec start's JSON may arrive after the head, and the engine reads it
 * before it answers 101), anything after it is held until the engine accepts the upgrade, and is
 * never sent when the engine refuses it (it would be read as a new request nobody checked).
 */
import type { Duplex } from 'node:stream'

export interface UpgradeGate {
  /** The engine answered 101: send what was held and relay everything from now on. */
  open (): void
  /** The engine refused the upgrade: drop what was held and whatever comes. */
  refuse (): void
  /** Bytes read from the client so far. */
  readonly bytesIn: number
}

/** Relays `client` to `upstream`: `bodyBytes` at once, the rest once opened; half-close passed on in order. */
export function gateUpgrade (client: Duplex, upstream: Duplex, bodyBytes: number): UpgradeGate {
  let state: 'held' | 'open' | 'refused' = 'held'
  let bodyLeft = bodyBytes
  let held: Buffer[] = []
  let ended = false
  let bytesIn = 0
  const send = (chunk: Buffer): void => { if (!upstream.write(chunk)) client.pause() }
  upstream.on('drain', () => { if (state === 'open') client.resume() })
  client.on('data', (chunk: Buffer) => {
    bytesIn += chunk.length
    if (state === 'refused') return
    if (state === 'open') { send(chunk); return }
    if (bodyLeft > 0) {
      const body = chunk.subarray(0, bodyLeft)
      bodyLeft -= body.length
      upstream.write(body)
      chunk = chunk.subarray(body.length)
    }
    if (chunk.length > 0) held.push(chunk)
  })
  client.on('end', () => {
    ended = true
    if (state === 'open') upstream.end()
  })
  return {
    open () {
      if (state !== 'held') return
      state = 'open'
      for (const chunk of held) send(chunk)
      held = []
      if (ended) upstream.end()
    },
    refuse () {
      state = 'refused'
      held = []
      upstream.end()
    },
    get bytesIn () { return bytesIn }
  }
}
