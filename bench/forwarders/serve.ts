/**
 * One candidate for forwarding plain Docker API calls, as a process of its own (so it does not
 * share the load generator's event loop): plain HTTP on 127.0.0.1:<port> in front of the engine
 * socket, no TLS and no tokens, so only the forwarding differs between candidates.
 *
 *   serve.ts <undici|node-http|http-proxy|relay> <port> <engine socket>
 *
 * - undici: @swarmgate/core's forwardRequest, exactly as both proxies use it;
 * - node-http: node:http's client with a keep-alive agent, raw headers both ways, headers flushed;
 * - relay: @swarmgate/core's byte relay (issue 14), every head relayed as received;
 * - http-proxy: web() with the workarounds plain calls need (a keep-alive agent instead of its
 *   default of a new connection per call, response headers flushed for POST /wait); no upgrade
 *   handler, since it cannot carry hijacked calls at all (docs/decisions.md, entry 1).
 */
import http from 'node:http'
import httpProxy from 'http-proxy'
import net from 'node:net'
import { buildHead, endToEndHeaders, forwardRequest, interceptConnections, openSocket, relayConnection, sendDockerError, unixSocketUpstream } from '@swarmgate/core'

const CANDIDATES = {
  undici: (socketPath: string): http.RequestListener => {
    const upstream = unixSocketUpstream(socketPath)
    return (req, res) => {
      void forwardRequest(req, res, { upstream, headers: endToEndHeaders(req.rawHeaders) }).then((outcome) => {
        if (outcome.kind === 'failed' && !outcome.responded) sendDockerError(res, 502, outcome.error.message)
      })
    }
  },
  'node-http': (socketPath: string): http.RequestListener => {
    const agent = new http.Agent({ keepAlive: true })
    return (req, res) => {
      const up = http.request({ socketPath, agent, method: req.method, path: req.url, headers: endToEndHeaders(req.rawHeaders) }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, endToEndHeaders(upRes.rawHeaders))
        res.flushHeaders()
        upRes.pipe(res)
      })
      up.on('error', (err) => { if (res.headersSent) res.destroy(err); else sendDockerError(res, 502, err.message) })
      res.on('close', () => { if (!res.writableFinished) up.destroy() })
      req.pipe(up)
    }
  },
  'http-proxy': (socketPath: string): http.RequestListener => {
    // @types/http-proxy's target type has no socketPath, which http-proxy passes on to http.request.
    const proxy = httpProxy.createProxyServer({ target: { socketPath } as unknown as httpProxy.ProxyTargetUrl, agent: new http.Agent({ keepAlive: true }) })
    // 'proxyRes' comes before http-proxy writes the headers; flush them once it has.
    proxy.on('proxyRes', (_upRes, _req, res) => { process.nextTick(() => { res.flushHeaders() }) })
    proxy.on('error', (err, _req, res) => {
      if (res instanceof http.ServerResponse && !res.headersSent) sendDockerError(res, 502, err.message)
      else res.destroy()
    })
    return (req, res) => { proxy.web(req, res) }
  }
}

const [kind = '', port = '', socketPath = ''] = process.argv.slice(2)
if (!(kind in CANDIDATES) && kind !== 'relay') throw new Error(`usage: serve.ts <${[...Object.keys(CANDIDATES), 'relay'].join('|')}> <port> <engine socket>`)
if (socketPath === '') throw new Error('no engine socket given')
const server = kind === 'relay'
  ? http.createServer(() => { throw new Error('the relay hands nothing over here') })
  : http.createServer(CANDIDATES[kind as keyof typeof CANDIDATES](socketPath))
// relay: @swarmgate/core's relay, every call relayed as received (what --relay does once decided).
if (kind === 'relay') {
  interceptConnections(server, (socket, careful) => {
    relayConnection(socket, {
      decide: (r) => ({ kind: 'relay', head: buildHead([r.method, r.target, 'HTTP/1.1'], r.rawHeaders) }),
      connect: async () => await openSocket(() => net.connect(socketPath)),
      handover: careful
    })
  })
}
server.listen(Number(port), '127.0.0.1')
process.once('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
