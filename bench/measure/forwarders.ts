/**
 * The candidates for forwarding plain calls (forwarders/serve.ts), each in its own process in
 * front of the benchmark's engine socket, under the same load as the paths, with the socket
 * itself measured in the same rounds for reference.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startHelper, untilListening, type Helper } from '../setup/child.js'
import { freePort } from '../setup/ports.js'
import { measureLoad, type ApiFigure, type LoadSubject } from './api.js'
import type { BenchOptions } from '../options.js'
import type { Environment } from '../setup/environment.js'

export const CANDIDATES = ['undici', 'node-http', 'http-proxy', 'relay'] as const

const SERVE = fileURLToPath(new URL('../forwarders/serve.ts', import.meta.url))

/** Starts the candidates, measures them and the socket, stops them. */
export async function measureForwarders (env: Environment, opts: BenchOptions, log: (line: string) => void): Promise<ApiFigure[]> {
  const helpers: Helper[] = []
  try {
    const subjects: LoadSubject[] = []
    for (const candidate of CANDIDATES) {
      const port = await freePort()
      // The same TypeScript loader this process runs under (npm run bench sets it).
      const helper = startHelper(candidate, process.execPath, [...process.execArgv, SERVE, candidate, String(port), env.daemon.socket], join(env.dir, `forwarder-${candidate}.log`))
      helpers.push(helper)
      await untilListening(helper, port)
      subjects.push({ key: candidate, http: { origin: `http://127.0.0.1:${port}`, options: {} } })
    }
    const socket = env.paths.find((p) => p.key === 'socket')?.http
    if (socket !== undefined) subjects.push({ key: 'socket', http: socket })
    return await measureLoad(subjects, opts, log)
  } finally {
    for (const h of helpers) await h.stop()
  }
}
