import t from 'tap'
import { MetricsRegistry, TEXT_FORMAT } from '../../src/metrics/index.js'

t.test('the text format: HELP, TYPE and samples of each type, in the order made', async (t) => {
  const r = new MetricsRegistry()
  const calls = r.counter('demo_calls_total', 'Calls by action', ['action', 'status'])
  const open = r.gauge('demo_open', 'Open now')
  const took = r.histogram('demo_seconds', 'How long', ['action'], [1, 0.5, 5])
  calls.inc({ action: 'container.list', status: '200' })
  calls.inc({ action: 'container.list', status: '200' }, 2)
  calls.inc({ status: '403', action: 'exec.start' })
  open.add({}, 2)
  open.add({}, -1)
  took.observe({ action: 'a' }, 0.5)
  took.observe({ action: 'a' }, 0.75)
  took.observe({ action: 'a' }, 7)
  t.equal(r.render(), [
    '# HELP demo_calls_total Calls by action',
    '# TYPE demo_calls_total counter',
    'demo_calls_total{action="container.list",status="200"} 3',
    'demo_calls_total{action="exec.start",status="403"} 1',
    '# HELP demo_open Open now',
    '# TYPE demo_open gauge',
    'demo_open 1',
    '# HELP demo_seconds How long',
    '# TYPE demo_seconds histogram',
    'demo_seconds_bucket{action="a",le="0.5"} 1',
    'demo_seconds_bucket{action="a",le="1"} 2',
    'demo_seconds_bucket{action="a",le="5"} 2',
    'demo_seconds_bucket{action="a",le="+Inf"} 3',
    'demo_seconds_sum{action="a"} 8.25',
    'demo_seconds_count{action="a"} 3',
    ''
  ].join('\n'))
  t.equal(TEXT_FORMAT, 'text/plain; version=0.0.4; charset=utf-8')
})

t.test('metrics without labels show their one series from the start; labelled ones only once seen', async (t) => {
  const r = new MetricsRegistry()
  r.counter('c_total', 'c')
  r.histogram('h_seconds', 'h', [], [1])
  r.gauge('g', 'g', ['x'])
  t.equal(r.render(), [
    '# HELP c_total c', '# TYPE c_total counter', 'c_total 0',
    '# HELP h_seconds h', '# TYPE h_seconds histogram', 'h_seconds_bucket{le="1"} 0', 'h_seconds_bucket{le="+Inf"} 0', 'h_seconds_sum 0', 'h_seconds_count 0',
    '# HELP g g', '# TYPE g gauge', ''
  ].join('\n'))
})

t.test('label values and help are escaped as the format says; special numbers spelled as Go does', async (t) => {
  const r = new MetricsRegistry()
  r.gauge('odd', 'a \\ back\nslash', ['v']).set({ v: 'q"uote\\back\nline' }, Infinity)
  r.gauge('nan', 'n').set({}, NaN)
  r.gauge('minus', 'm').set({}, -Infinity)
  const text = r.render()
  t.match(text, '# HELP odd a \\\\ back\\nslash\n')
  t.match(text, 'odd{v="q\\"uote\\\\back\\nline"} +Inf\n')
  t.match(text, 'nan NaN\n')
  t.match(text, 'minus -Inf\n')
})

t.test('mistakes are refused: a missing label, a counter going down, a name made twice, bad names and bounds', async (t) => {
  const r = new MetricsRegistry()
  const c = r.counter('x_total', 'x', ['a', 'b'])
  t.throws(() => { c.inc({ a: '1' } as unknown as { a: string, b: string }) }, /needs the label b/)
  t.throws(() => { c.inc({ a: '1', b: '2' }, -1) }, /cannot go down/)
  t.throws(() => r.gauge('x_total', 'again'), /made twice/)
  t.throws(() => r.gauge('bad-name', 'x'), /not valid/)
  t.throws(() => r.gauge('ok', 'x', ['le']), /not valid/)
  t.throws(() => r.histogram('h1', 'x', [], []), /bucket bounds/)
  t.throws(() => r.histogram('h2', 'x', [], [1, 1]), /bucket bounds/)
  t.throws(() => r.histogram('h3', 'x', [], [Infinity]), /bucket bounds/)
  t.equal(r.render().includes('x_total{'), false, 'the refused updates left no series')
})
