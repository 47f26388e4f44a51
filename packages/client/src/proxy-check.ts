/**
 * Waiting until a Docker API call through the proxy succeeds. The client runs in a container of
 * its own, where the host's 127.0.0.1 is out of reach, so the call is made from inside the proxy's
 * container with `docker exec`: GET /_ping through the proxy's own listener, which goes all the way
 * to a manager's engine and back with the user's token. That holds for both network setups and
 * for a remote engine.
 */
import type { EngineClient } from '@swarmgate/core'
import { setTimeout as sleep } from 'node:timers/promises'
import { errors } from './errors.js'

/** node -e program: GET /_ping on 127.0.0.1:<argv[1]>; prints the status and body, exit 0 on 200. */
const PING = [
  'const http = require("http");',
  'const req = http.get({ host: "127.0.0.1", port: Number(process.argv[1]), path: "/_ping", timeout: 15000 }, (res) => {',
  '  let body = ""; res.setEncoding("utf8"); res.on("data", (c) => { body += c });',
  '  res.on("end", () => { process.stdout.write(res.statusCode + " " + body.trim()); process.exit(res.statusCode === 200 ? 0 : 1) });',
  '});',
  'req.on("timeout", () => req.destroy(new Error("no answer within 15 s")));',
  'req.on("error", (err) => { process.stdout.write(err.message); process.exit(1) });'
].join('\n')

/** node -e program: GET the proxy's own health on 127.0.0.1:<argv[1]>; prints its endpoint list as JSON. */
const ENDPOINTS = [
  'const http = require("http");',
  'http.get({ host: "127.0.0.1", port: Number(process.argv[1]), path: "/_swarmgate/v1/health", timeout: 15000 }, (res) => {',
  '  let body = ""; res.setEncoding("utf8"); res.on("data", (c) => { body += c });',
  '  res.on("end", () => { const list = (JSON.parse(body).endpoints || []).map((e) => e.endpoint); process.stdout.write(JSON.stringify(list)) });',
  '}).on("error", () => process.exit(1));'
].join('\n')

/**
 * The endpoints the running proxy uses now: it keeps its list current from the swarm's own
 * (managers added or removed), so the client saves it for the next run. Undefined when the proxy
 * cannot tell (an older proxy has no list in its health answer).
 */
export async function proxyEndpoints (engine: EngineClient, id: string, port: number): Promise<string[] | undefined> {
  const result = await engine.exec(id, ['node', '-e', ENDPOINTS, String(port)]).catch(() => undefined)
  if (result?.exitCode !== 0) return undefined
  try {
    const list = JSON.parse(result.stdout) as unknown
    return Array.isArray(list) && list.length > 0 && list.every((e) => typeof e === 'string') ? list as string[] : undefined
  } catch {
    return undefined
  }
}

/** Why the proxy failed: its last log lines. */
async function logsOf (engine: EngineClient, id: string): Promise<string> {
  const logs = (await engine.containerLogs(id, 10).catch(() => '')).trim()
  return logs === '' ? '' : `\nIts last log lines:\n${logs}`
}

/** Resolves once /_ping through the proxy answers 200; fails with what the proxy answered. */
export async function waitUntilProxyWorks (engine: EngineClient, id: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'it did not answer yet'
  for (;;) {
    const c = await engine.inspectContainer(id)
    if (!c.State.Running || c.State.Status === 'restarting') {
      const logs = await logsOf(engine, id)
      // With its restart policy a proxy that cannot listen restarts over and over instead of stopping.
      if (/EADDRINUSE|address already in use/i.test(logs)) throw errors.SG_ERR_CLIENT_PORT_BUSY(`the proxy cannot listen on its port${logs}`)
      if (c.State.Status !== 'restarting') {
        throw errors.SG_ERR_CLIENT_PROXY_FAILED(`the container ${c.Name.replace(/^\//, '')} stopped (exit status ${c.State.ExitCode}${c.State.Error === '' ? '' : `, ${c.State.Error}`})${logs}`)
      }
      last = 'the container is restarting'
    } else {
      try {
        const result = await engine.exec(id, ['node', '-e', PING, String(port)])
        if (result.exitCode === 0) return
        last = (result.stdout + result.stderr).trim()
      } catch (err) {
        // The container restarted between the inspection and the exec.
        if ((err as { code?: string }).code !== 'SG_ERR_ENGINE_CONFLICT') throw err
        last = (err as Error).message
      }
    }
    if (Date.now() >= deadline) break
    await sleep(1000)
  }
  throw errors.SG_ERR_CLIENT_PROXY_FAILED(`a call through the proxy did not succeed within ${Math.round(timeoutMs / 1000)} s; the last answer was: ${last}${await logsOf(engine, id)}`)
}
