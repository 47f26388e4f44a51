/**
 * Request bodies arrive from a TLS socket one record (at most 16 KiB) per 'data' event, several
 * from one socket read. Passed on as they come, each becomes its own write to the engine socket:
 * a syscall and a wake-up of dockerd per 16 KiB, which made `docker load` through server-proxy
 * cost 2.2x the socket (bench, issue 5). coalesce() hands the next hop what arrived in one turn
 * of the event loop as one chunk, with the source's backpressure kept.
 */
import { Readable } from 'node:stream'

/** A body that yields `source`'s bytes unchanged, joined per turn of the event loop. */
export function coalesce (source: Readable): Readable {
  let pending: Buffer[] = []
  let scheduled = false
  const out = new Readable({
    read () { source.resume() },
    destroy (err, callback) {
      source.destroy(err ?? undefined)
      callback(err)
    }
  })
  const flush = (): void => {
    scheduled = false
    if (pending.length === 0 || out.destroyed) return
    const chunk = pending.length === 1 ? pending[0] as Buffer : Buffer.concat(pending)
    pending = []
    if (!out.push(chunk)) source.pause()
  }
  source.on('data', (chunk: Buffer) => {
    pending.push(chunk)
    if (!scheduled) { scheduled = true; setImmediate(flush) }
  })
  source.once('end', () => { flush(); out.push(null) })
  source.once('error', (err) => out.destroy(err))
  // A client that goes away mid-body ends the source without 'end': the upstream call must fail.
  source.once('close', () => { if (!source.readableEnded) out.destroy(new Error('the client closed the connection before the request body ended')) })
  return out
}
