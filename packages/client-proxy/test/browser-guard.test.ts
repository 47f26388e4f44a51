import t from 'tap'
import { browserGuard, normalizeOrigin } from '../src/browser-guard.js'

const guard = browserGuard({ listenHost: '127.0.0.1', allowOrigin: undefined })

t.test('what the docker CLI and SDKs send passes', async (t) => {
  for (const host of ['127.0.0.1:2375', 'localhost:2375', 'LOCALHOST:1', '[::1]:2375', '127.0.0.1', '127.0.1.1:80']) {
    t.equal(guard({ host }, 'tcp'), undefined, host)
  }
  t.equal(guard({ host: 'api.moby.localhost' }, 'unix'), undefined, 'any Host on the unix socket (docker CLI 28.2 sends api.moby.localhost)')
  t.equal(guard({}, 'tcp'), undefined, 'no Host at all (HTTP/1.0): not a browser')
})

t.test('a foreign Host is DNS rebinding', async (t) => {
  for (const host of ['rebind.example:2375', 'rebind.example', 'api.moby.localhost', '127.0.0.1.evil.example:2375', '0.0.0.0:2375', '[::2]:2375', '']) {
    t.match(guard({ host }, 'tcp'), /^swarmgate: refused: Host .* is not this proxy's address \(DNS rebinding\)/, JSON.stringify(host))
  }
})

t.test('the address listened on is its own name', async (t) => {
  t.equal(browserGuard({ listenHost: '192.0.2.5', allowOrigin: undefined })({ host: '192.0.2.5:2375' }, 'tcp'), undefined)
  t.equal(browserGuard({ listenHost: '::1', allowOrigin: undefined })({ host: '[::1]:2375' }, 'tcp'), undefined)
  t.not(browserGuard({ listenHost: '0.0.0.0', allowOrigin: undefined })({ host: '0.0.0.0:2375' }, 'tcp'), undefined, 'a wildcard names no one')
})

t.test('a web page is refused on both listeners', async (t) => {
  for (const listener of ['tcp', 'unix'] as const) {
    t.match(guard({ host: '127.0.0.1:2375', origin: 'https://evil.example' }, listener), 'swarmgate: refused: a request from a web page (Origin: https://evil.example)')
    t.match(guard({ host: '127.0.0.1:2375', origin: 'null' }, listener), '(Origin: null)')
    t.match(guard({ host: '127.0.0.1:2375', 'sec-fetch-site': 'cross-site' }, listener), '(Sec-Fetch-Site: cross-site)')
    t.match(guard({ host: '127.0.0.1:2375', 'sec-fetch-mode': 'no-cors' }, listener), '(Sec-Fetch-Mode: no-cors)')
  }
})

t.test('--allow-origin lets one origin through, and only it', async (t) => {
  const allowing = browserGuard({ listenHost: '127.0.0.1', allowOrigin: normalizeOrigin('https://UI.example:443/') })
  const fromUi = { host: '127.0.0.1:2375', origin: 'https://ui.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }
  t.equal(allowing(fromUi, 'tcp'), undefined)
  t.match(allowing({ ...fromUi, origin: 'https://ui.example:8443' }, 'tcp'), /web page/)
  t.match(allowing({ ...fromUi, host: 'rebind.example' }, 'tcp'), /DNS rebinding/, 'Host is still checked')
  t.match(allowing({ host: '127.0.0.1', 'sec-fetch-site': 'cross-site' }, 'tcp'), /Sec-Fetch-Site/, 'without an Origin a page is still refused')
})

t.test('normalizeOrigin accepts only an origin', async (t) => {
  t.equal(normalizeOrigin('http://127.0.0.1:8080'), 'http://127.0.0.1:8080')
  for (const bad of ['ui.example', 'https://ui.example/app', 'https://ui.example/?x', 'file:///tmp/x', '*']) {
    t.throws(() => normalizeOrigin(bad), { code: 'SG_ERR_ORIGIN_FORMAT' }, bad)
  }
})
