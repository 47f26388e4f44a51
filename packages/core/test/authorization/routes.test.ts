import t from 'tap'
import { ROUTES, routeCall } from '../../src/authorization/routes.js'

// Sample values for the route variables: `{v:.*}` gets a name with `/` and `:` (an image reference).
const SAMPLE_SLASHED = 'localhost:5000/team/app:1.2'
const SAMPLE_SEGMENT = 'abc123'

/** A path the route's template matches, and the params the engine's router extracts from it. */
function sample (pattern: string): { path: string, params: Record<string, string> } {
  const params: Record<string, string> = {}
  const path = pattern.replace(/\{([a-z]+)(?::([^}]+))?\}/g, (_all, name: string, regexp: string | undefined) => {
    const value = regexp === undefined ? SAMPLE_SEGMENT : SAMPLE_SLASHED
    params[name] = value
    return value
  })
  return { path, params }
}

t.test('the table: one row per engine route, regular action names', async (t) => {
  const seen = new Set<string>()
  for (const route of ROUTES) {
    const key = `${route.method} ${route.pattern}`
    t.notOk(seen.has(key), `${key} appears once`)
    seen.add(key)
    t.match(route.action, /^[a-z]+(\.[a-z]+(-[a-z]+)*)?$/, key)
    t.match(route.method, /^(GET|HEAD|POST|PUT|DELETE|OPTIONS|\*)$/, key)
  }
  t.ok(Object.isFrozen(ROUTES) && ROUTES.every(Object.isFrozen), 'frozen')
})

t.test('every route is matched by a sample path, with no prefix, /v1.41/ and /v1.24/', async (t) => {
  for (const route of ROUTES) {
    const { path, params } = sample(route.pattern)
    for (const prefix of ['', '/v1.41', '/v1.24']) {
      const method = route.method === '*' ? 'GET' : route.method
      const call = routeCall(method, prefix + path, {})
      const label = `${method} ${prefix}${path}`
      t.equal(call.action, route.action, label)
      t.same(call.params, params, `${label} params`)
      t.equal(call.version, prefix === '' ? undefined : prefix.slice(2), `${label} version`)
      t.equal(call.route, path, `${label} route`)
    }
  }
})

interface Row {
  readonly method: string
  readonly url: string
  /** The action the engine's router runs, or undefined when it runs none (or we refuse to guess). */
  readonly action: string | undefined
  readonly params?: Record<string, string>
  readonly route?: string
  readonly version?: string
  /** What moby does with this spelling, and where it says so. */
  readonly moby: string
}

const SPELLINGS: readonly Row[] = [
  // The version prefix: `/v{version:[0-9.]+}` (api/server/server.go versionMatcher), registered
  // next to each unprefixed route (createMux). VersionMiddleware judges the value afterwards.
  { method: 'GET', url: '/v1.41.2/containers/json', action: 'container.list', version: '1.41.2', moby: '[0-9.]+ takes any digits and dots' },
  { method: 'GET', url: '/v./containers/json', action: 'container.list', version: '.', moby: 'a lone dot is [0-9.]+ too (the version middleware then refuses it as too old)' },
  { method: 'GET', url: '/v/containers/json', action: undefined, moby: '[0-9.]+ needs one character' },
  { method: 'GET', url: '/V1.41/containers/json', action: undefined, moby: 'the literal /v is case-sensitive' },
  { method: 'GET', url: '/v1.41a/containers/json', action: undefined, moby: 'versioned 404 handler (/v{version}/{path:.*})' },
  { method: 'GET', url: '/v1.41/v1.41/containers/json', action: undefined, moby: 'one prefix only' },
  { method: 'GET', url: '/v1.23/containers/x/json', action: 'container.inspect', version: '1.23', params: { id: 'x' }, moby: 'old versions route the same (the handler reads the version)' },

  // Percent-decoding: net/url setPath decodes the path, mux matches req.URL.Path (no UseEncodedPath; gorilla/mux mux.go).
  { method: 'POST', url: '/containers/%63reate', action: 'container.create', route: '/containers/create', moby: 'matched on the decoded path' },
  { method: 'POST', url: '/v1.41/%63ontainers/%63reate?name=a', action: 'container.create', version: '1.41', moby: 'matched on the decoded path' },
  { method: 'GET', url: '/images/library%2Falpine/json', action: 'image.inspect', params: { name: 'library/alpine' }, moby: '%2F decodes to / and {name:.*} takes it' },
  { method: 'GET', url: '/images/localhost:5000/a/b:1/json', action: 'image.inspect', params: { name: 'localhost:5000/a/b:1' }, moby: '{name:.*} takes / and :' },
  { method: 'GET', url: '/images/a/get/json', action: 'image.inspect', params: { name: 'a/get' }, moby: 'first route in registration order whose regexp matches; .* is greedy' },
  { method: 'GET', url: '/images/a%2Fb/get', action: 'image.save-one', params: { name: 'a/b' }, moby: 'image.go: /images/{name:.*}/get' },
  { method: 'GET', url: '/containers/%C3%A9t%C3%A9/json', action: 'container.inspect', params: { id: 'été' }, moby: 'UTF-8 after decoding' },
  { method: 'GET', url: '/containers/\xc3\xa9/json', action: 'container.inspect', params: { id: 'é' }, moby: 'raw UTF-8 bytes (Node hands them over as latin1)' },
  { method: 'GET', url: '/containers/a%FFb/json', action: undefined, moby: 'Go routes the byte 0xFF; we are stricter: not UTF-8, no action' },
  { method: 'GET', url: '/containers/a%zz/json', action: undefined, moby: 'net/url unescape: invalid escape, net/http answers 400' },
  { method: 'GET', url: '/containers/a%2/json', action: undefined, moby: 'net/url unescape: truncated escape, 400' },
  { method: 'GET', url: '/containers/a%00b/json', action: 'container.inspect', params: { id: 'a\0b' }, moby: 'an escaped NUL decodes and routes' },
  { method: 'GET', url: '/containers/a\x00b/json', action: undefined, moby: 'net/url: invalid control character in URL, 400' },
  { method: 'GET', url: '/containers/a\tb/json', action: undefined, moby: 'net/url: invalid control character in URL, 400' },
  { method: 'GET', url: '/containers/a%0Ab/json', action: undefined, moby: "Go's . does not match \\n: {name:.*} refuses it" },
  { method: 'DELETE', url: '/containers/a%0Ab', action: undefined, moby: "Go's . does not match \\n" },
  { method: 'GET', url: '/containers/a%0Db/json', action: 'container.inspect', params: { id: 'a\rb' }, moby: "Go's . matches \\r (JS's does not: we write [^\\n])" },
  { method: 'GET', url: '/services/a%0Ab', action: 'service.inspect', params: { id: 'a\nb' }, moby: '{id} is [^/]+, which matches \\n' },
  { method: 'GET', url: '/containers/x#/json', action: 'container.inspect', params: { id: 'x#' }, moby: 'ParseRequestURI keeps # in the path (no fragment in a request)' },
  { method: 'GET', url: '/containers/json#x', action: undefined, moby: 'the # is part of the path' },

  // Cleaning: mux answers a non-clean path with a 301 to cleanPath(path) (gorilla/mux mux.go
  // Router.ServeHTTP); we decide on the cleaned path.
  { method: 'POST', url: '//containers//create', action: 'container.create', route: '/containers/create', moby: '301 to /containers/create (no scheme: // is a path, not an authority)' },
  { method: 'POST', url: '/./containers/../containers/create', action: 'container.create', route: '/containers/create', moby: '301 to /containers/create' },
  { method: 'POST', url: '/images/a%2F..%2F..%2Fcontainers%2Fcreate', action: 'container.create', route: '/containers/create', moby: 'cleaned after decoding: 301 to /containers/create' },
  { method: 'GET', url: '/v1.41//containers/json', action: 'container.list', version: '1.41', moby: '301 to /v1.41/containers/json' },
  { method: 'GET', url: '/v1.41/../containers/json', action: 'container.list', version: undefined, moby: '301 to /containers/json' },
  { method: 'GET', url: '/../../containers/json', action: 'container.list', moby: '.. stops at the root' },
  { method: 'POST', url: '/containers/create/', action: undefined, moby: 'cleanPath keeps the trailing slash; strictSlash is off: no route' },
  { method: 'GET', url: '/containers/json/', action: undefined, moby: 'trailing slash: no route' },
  { method: 'DELETE', url: '/containers/abc/', action: 'container.delete', params: { id: 'abc/' }, moby: '{name:.*} takes the slash' },
  { method: 'DELETE', url: '/containers/json/../', action: 'container.delete', params: { id: '' }, route: '/containers/', moby: 'cleaned to /containers/, where .* matches nothing' },
  { method: 'GET', url: '/networks/', action: 'network.list', moby: 'network.go registers /networks/ itself' },
  { method: 'GET', url: '/volumes/', action: 'volume.inspect', params: { name: '' }, moby: '/volumes/{name:.*} with an empty name' },
  { method: 'GET', url: '/swarm/', action: undefined, moby: 'trailing slash: no route' },
  { method: 'GET', url: '/', action: undefined, moby: 'no GET route on /' },

  // Methods: mux's Methods matcher compares the request's method exactly (upper-cased templates).
  { method: 'post', url: '/containers/create', action: undefined, moby: 'methods are case-sensitive' },
  { method: 'PATCH', url: '/containers/x', action: undefined, moby: 'MethodNotAllowedHandler is the 404 handler' },
  { method: 'HEAD', url: '/containers/x/json', action: undefined, moby: 'HEAD is not GET in mux' },
  { method: 'HEAD', url: '/_ping', action: 'system.ping-head', moby: 'system.go' },
  { method: 'HEAD', url: '/containers/x/archive', action: 'container.archive-head', params: { id: 'x' }, moby: 'container.go' },
  { method: 'OPTIONS', url: '/v1.41/containers/json', action: 'system.options', version: '1.41', params: { path: 'containers/json' }, moby: 'system.go: OPTIONS /{anyroute:.*}' },
  { method: 'OPTIONS', url: '/debug/vars', action: 'system.options', params: { path: 'debug/vars' }, moby: 'the OPTIONS route is registered before the debug routes' },
  { method: 'OPTIONS', url: '*', action: undefined, moby: 'net/http answers OPTIONS * itself' },
  { method: 'get', url: '/debug/vars', action: 'debug.vars', moby: '20.10 registers debug routes with no method matcher (api/server/server.go)' },
  { method: 'POST', url: '/debug/pprof/heap', action: 'debug.pprof', params: { name: 'heap' }, moby: 'any method, 20.10 to 27' },
  { method: 'GET', url: '/v1.51/debug/pprof/', action: 'debug.pprof-index', version: '1.51', moby: 'master registers them with the version prefix' },

  // Order: the checkpoint router comes first (cmd/dockerd/daemon.go: "or the DELETE gets masked").
  { method: 'DELETE', url: '/containers/x/checkpoints/cp1', action: 'checkpoint.delete', params: { id: 'x', checkpoint: 'cp1' }, moby: 'checkpoint.go before container.go' },
  { method: 'DELETE', url: '/containers/x/y/checkpoints/cp1', action: 'container.delete', params: { id: 'x/y/checkpoints/cp1' }, moby: '{name} is [^/]+: the container DELETE takes it' },
  { method: 'GET', url: '/services/create', action: 'service.inspect', params: { id: 'create' }, moby: 'GET /services/{id}' },

  // Absolute-form targets: ParseRequestURI keeps the path, mux routes on req.URL.Path.
  { method: 'GET', url: 'http://localhost/containers/json', action: 'container.list', route: '/containers/json', moby: 'routed by its path' },
  { method: 'GET', url: 'HTTP://localhost:2375/v1.41/containers/json?all=1', action: 'container.list', version: '1.41', moby: 'the scheme is case-insensitive' },
  { method: 'GET', url: 'http://localhost//containers/json', action: 'container.list', moby: 'authority, then a path that mux cleans' },
  { method: 'OPTIONS', url: 'http://localhost', action: 'system.options', params: { path: '' }, route: '/', moby: 'an empty path, redirected to /' },
  { method: 'GET', url: 'unix:/containers/json', action: 'container.list', moby: 'a scheme without authority (OmitHost)' },
  { method: 'GET', url: 'x:containers/json', action: undefined, moby: 'opaque: the path is empty and the redirect keeps the opaque' },
  { method: 'GET', url: ':/containers/json', action: undefined, moby: 'missing protocol scheme, 400' },
  { method: 'GET', url: 'containers/json', action: undefined, moby: 'invalid URI for request, 400' },
  { method: 'GET', url: '', action: undefined, moby: 'empty url, 400' },
  { method: 'GET', url: '1http://localhost/containers/json', action: undefined, moby: 'a digit cannot start a scheme: not a path either, 400' }
]

t.test('spellings of a call route as moby routes them, or stricter', async (t) => {
  for (const row of SPELLINGS) {
    const call = routeCall(row.method, row.url, {})
    const label = `${row.method} ${JSON.stringify(row.url)}: ${row.moby}`
    t.equal(call.action, row.action, label)
    t.equal(call.method, row.method, `${label} (method kept)`)
    if (row.params !== undefined) t.same(call.params, row.params, `${label} (params)`)
    if (row.route !== undefined) t.equal(call.route, row.route, `${label} (route)`)
    if ('version' in row) t.equal(call.version, row.version, `${label} (version)`)
  }
})

/** The query as a plain object, for comparison. */
function queryOf (url: string): { action: string | undefined, query: Record<string, readonly string[]> } {
  const call = routeCall('GET', url, {})
  return { action: call.action, query: Object.fromEntries(call.query) }
}

t.test('the query reads as url.ParseQuery (Go 1.17+) reads it, or leaves the action unknown', async (t) => {
  // net/url ParseQuery: & separates, + is a space, first value first.
  t.same(queryOf('/containers/json?all=1&all=0'), { action: 'container.list', query: { all: ['1', '0'] } }, 'repeated keys keep every value in order')
  t.same(queryOf('/containers/json?a+b=c+d&e=%2B'), { action: 'container.list', query: { 'a b': ['c d'], e: ['+'] } }, '+ is a space, %2B a plus')
  t.same(queryOf('/containers/json?a&&b=&=x'), { action: 'container.list', query: { a: [''], b: [''], '': ['x'] } }, 'empty pairs skipped, missing values empty, empty keys kept')
  t.same(queryOf('/containers/json?Filters=x').query, { Filters: ['x'] }, 'keys keep their case')
  t.same(queryOf('/containers/json?a=%zz&b=2&c%=1'), { action: 'container.list', query: { b: ['2'] } }, 'a pair with a bad escape is dropped, as Go drops it')
  t.same(queryOf('/containers/json?a=%C3%A9'), { action: 'container.list', query: { a: ['é'] } }, 'values decode as UTF-8')
  t.equal(queryOf('/containers/json?a=%FF').action, undefined, 'a value that is not UTF-8: stricter than Go, no action')
  t.equal(queryOf('/containers/json?a=1;all=1').action, undefined, 'a ; (Go < 1.17 splits on it, Go 1.17+ drops the pair): no action')
  t.equal(queryOf('/containers/json?a=%3B').action, 'container.list', 'an escaped ; is a character')
  t.equal(queryOf('/containers/json?x=/../../images/json').action, 'container.list', 'the query is not part of the path')
  t.same(queryOf('/containers/json?').query, {}, 'an empty query')
  t.same(queryOf('/containers/json?a=1?b=2').query, { a: ['1?b=2'] }, 'the path ends at the first ?')
})

t.test('headers: the decision headers only, first value first, whatever the case of their names', async (t) => {
  const call = routeCall('POST', '/containers/x/start', {
    'Content-Type': ['application/x-www-form-urlencoded', 'application/json'],
    'content-length': '12',
    'transfer-encoding': undefined,
    'x-registry-auth': 'c2VjcmV0',
    authorization: 'Bearer t'
  })
  t.same(call.headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '12', 'transfer-encoding': undefined })
})

t.test('an unknown or unreadable call keeps what can be logged', async (t) => {
  t.same(routeCall('GET', '/nothing/here?a=1', {}), { method: 'GET', action: undefined, route: '/nothing/here', version: undefined, params: {}, query: new Map([['a', ['1']]]), headers: {} })
  t.equal(routeCall('GET', '/containers/a%zz/json?a=1', {}).route, '/containers/a%zz/json', 'an undecodable path is logged raw, without its query')
  const semicolon = routeCall('GET', '/v1.41/containers/x/json?a;b', {})
  t.same([semicolon.action, semicolon.route, semicolon.version, semicolon.params], [undefined, '/containers/x/json', '1.41', { id: 'x' }], 'an unreadable query still names the route')
})
