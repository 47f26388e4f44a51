/**
 * Each manager's server-proxy watched from this machine during a change (a rolling update): its
 * health endpoint asked every 0.2 s on a fresh TLS connection, so each manager's gap (the time
 * its endpoint did not answer 200: old task stopped, new one not yet listening or healthy) can be
 * printed. The certificate is not checked: the watcher sends nothing but the health request to
 * the lab's own addresses, and a certificate that changes during the update must not count as a gap.
 */
import https from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'
import { PATHS } from '@swarmgate/core'
import type { LabNode } from '../testbed/lab/index.js'

const INTERVAL_MS = 200
const DEADLINE_MS = 1_000
const MAX_WATCH_MS = 10 * 60_000

/** A time a manager's endpoint did not answer 200, from the last answer before to the first after. */
export interface Gap {
  readonly from: number
  /** Undefined when it had not answered again when the watch ended. */
  readonly to: number | undefined
  /** What the failed asks got, first one. */
  readonly reason: string
}

async function healthy (address: string, port: number): Promise<string | undefined> {
  return await new Promise((resolve) => {
    const req = https.get({ host: address, port, path: PATHS.health, rejectUnauthorized: false, agent: false, timeout: DEADLINE_MS }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200 ? undefined : `answered ${String(res.statusCode)}`))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)))
    req.on('error', (err) => resolve(err.message))
  })
}

export interface EndpointWatch {
  /** Ends the watch and returns each manager's gaps, by node name. */
  stop: () => Promise<Map<string, Gap[]>>
}

/** Watches the server-proxy endpoint (`address:port`) of each of `nodes`. */
export function watchEndpoints (nodes: readonly LabNode[], port: number): EndpointWatch {
  let stopping = false
  const deadline = Date.now() + MAX_WATCH_MS
  const gaps = new Map<string, Gap[]>(nodes.map((n) => [n.name, []]))
  const watch = async (node: LabNode): Promise<void> => {
    let lastOk = Date.now()
    let failing: string | undefined
    while (!stopping && Date.now() < deadline) {
      const reason = await healthy(node.address, port)
      const now = Date.now()
      if (reason === undefined) {
        if (failing !== undefined) gaps.get(node.name)?.push({ from: lastOk, to: now, reason: failing })
        failing = undefined
        lastOk = now
      } else {
        failing ??= reason
      }
      await sleep(INTERVAL_MS)
    }
    if (failing !== undefined) gaps.get(node.name)?.push({ from: lastOk, to: undefined, reason: failing })
  }
  const done = Promise.all(nodes.map(watch))
  return { stop: async () => { stopping = true; await done; return gaps } }
}
