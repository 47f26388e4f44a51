import t from 'tap'
import { ServerMetrics } from '../../server-proxy/src/metrics/index.js'
import { overlayAddress, parseMetricsText, proxyFigures } from '../src/proxy-figures.js'
import type { Task } from '@swarmgate/core'

t.test('a server-proxy\'s figures, read from what its metrics render', async (t) => {
  let now = 1_700_000_000_000
  const m = new ServerMetrics('0.1.0', () => now)
  t.same(proxyFigures(m.registry.render()), { version: '0.1.0', startedAt: 1_700_000_000, openSessions: 0, engineErrors: 0, lastEngineErrorAt: undefined })
  const who = { method: 'POST', route: '/exec/a/start', action: 'exec.start', decision: 'allow', hijack: true }
  m.audited({ ...who, event: 'hijack-start' })
  m.audited({ ...who, event: 'hijack-start' })
  now += 60_000
  m.audited({ method: 'GET', route: '/containers/json', action: 'container.list', decision: 'allow', status: 503, durationMs: 1, err: Object.assign(new Error('x'), { code: 'ENOENT' }) })
  m.audited({ method: 'GET', route: '/info', action: 'system.info', decision: 'allow', status: 503, durationMs: 1, err: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })
  t.same(proxyFigures(m.registry.render()), { version: '0.1.0', startedAt: 1_700_000_000, openSessions: 2, engineErrors: 2, lastEngineErrorAt: 1_700_000_060 })
})

t.test('the text format\'s samples: labels unescaped, comments and malformed lines skipped, timestamps ignored', async (t) => {
  const text = [
    '# HELP x_total a help line with x_total 5 in it',
    '# TYPE x_total counter',
    'x_total{a="q\\"uote",b="back\\\\slash\\nline"} 3',
    'y 1.5e3 1700000000000',
    'z{le="+Inf"} +Inf',
    'not a sample',
    ''
  ].join('\n')
  t.same(parseMetricsText(text), [
    { name: 'x_total', labels: { a: 'q"uote', b: 'back\\slash\nline' }, value: 3 },
    { name: 'y', labels: {}, value: 1500 },
    { name: 'z', labels: { le: '+Inf' }, value: Infinity }
  ])
  t.same(proxyFigures(''), { version: undefined, startedAt: undefined, openSessions: undefined, engineErrors: 0, lastEngineErrorAt: undefined }, 'a proxy without metrics says nothing it does not know')
})

t.test('a task\'s address on the server-proxy network', async (t) => {
  const task = (attachments: unknown): Task => ({ ID: 't', NetworksAttachments: attachments } as unknown as Task)
  t.equal(overlayAddress(task([{ Network: { Spec: { Name: 'ingress' } }, Addresses: ['192.0.2.5/24'] }, { Network: { Spec: { Name: 'swarmgate-server-proxy-network' } }, Addresses: ['198.51.100.7/24'] }])), '198.51.100.7')
  t.equal(overlayAddress(task([{ Network: { Spec: { Name: 'other' } }, Addresses: ['203.0.113.2/24'] }])), undefined)
  t.equal(overlayAddress(task(undefined)), undefined)
})
