/**
 * Samples both proxies while the soak runs: RSS (VmRSS from /proc/<pid>/status) and open file
 * descriptors (/proc/<pid>/fd), with the operations and errors counted so far, every
 * `intervalMs`; each sample is handed to `onSample` as it is taken (the live table).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { sampleProcess } from '../proc.js'
import type { Chain } from '../../test/harness/chain.js'
import type { SoakSample } from './summary.js'
import type { Tally } from './tally.js'

export interface Sampler {
  /** Takes a last sample, stops, and returns every sample in order. */
  stop (): Promise<readonly SoakSample[]>
}

/** Starts sampling at once (the first sample is the start of the load). */
export function startSampler (chain: Chain, tally: Tally, intervalMs: number, onSample: (s: SoakSample) => void): Sampler {
  const started = performance.now()
  const samples: SoakSample[] = []
  const take = async (): Promise<void> => {
    const [server, client, serverFds, clientFds] = await Promise.all([
      sampleProcess(chain.serverPid), sampleProcess(chain.clientPid), chain.server.openFds(), (chain.client as NonNullable<Chain['client']>).openFds()
    ])
    const s: SoakSample = {
      atSeconds: (performance.now() - started) / 1000,
      serverRssMb: server.rssMb,
      serverFds,
      clientRssMb: client.rssMb,
      clientFds,
      operations: tally.operations(),
      errors: tally.errors()
    }
    samples.push(s)
    onSample(s)
  }
  let stopping = false
  const loop = (async () => {
    let next = performance.now()
    while (!stopping) {
      await take()
      next += intervalMs
      // Sleep in short steps so stop() does not wait a whole interval.
      while (!stopping && performance.now() < next) await sleep(Math.min(250, next - performance.now()))
    }
  })()
  return {
    stop: async () => {
      stopping = true
      await loop
      await take()
      return samples
    }
  }
}
