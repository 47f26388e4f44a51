import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { decodeBody, field, isFormBody } from '../../src/authorization/go-json.js'

const FIXTURES = new URL('./fixtures/docker-cli/', import.meta.url)
const json = (text: string): Buffer => Buffer.from(text, 'utf8')

t.test('every body the docker CLI sent decodes, and a trailing newline is fine', async (t) => {
  const files = readdirSync(FIXTURES)
  t.ok(files.length >= 10)
  for (const file of files) {
    const bytes = readFileSync(new URL(file, FIXTURES))
    const body = decodeBody(Buffer.concat([bytes, json('\n')]), 'application/json', undefined)
    t.equal(body.kind, 'json', file)
    if (body.kind === 'json') t.same(JSON.parse(JSON.stringify(body.value)), JSON.parse(bytes.toString('utf8')), file)
  }
})

t.test('an empty or blank body is no body', async (t) => {
  t.same(decodeBody(Buffer.alloc(0), undefined, undefined), { kind: 'none' })
  t.same(decodeBody(json(' \r\n\t'), 'application/json', undefined), { kind: 'none' })
})

t.test('values decode as JSON says', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['null', null], ['true', true], ['false', false], ['-0.5e2', -50], ['0', 0], ['"a\\"\\\\\\/\\b\\f\\n\\r\\tz"', 'a"\\/\b\f\n\r\tz'],
    ['"\\u00e9\\ud83d\\ude00"', 'é😀'], ['"é😀"', 'é😀'], ['[1,[2,{}],"x"]', [1, [2, {}], 'x']], [' {"a" : [ ] } ', { a: [] }]
  ]
  for (const [text, value] of cases) {
    const body = decodeBody(json(text), undefined, undefined)
    t.equal(body.kind, 'json', text)
    if (body.kind === 'json') t.same(body.value, value, text)
  }
})

t.test('keys equal under Go\'s folding are refused anywhere in the document', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['exact duplicate', '{"Image":"a","Image":"b"}', /"Image" twice/],
    ['case', '{"HostConfig":{"Privileged":false,"privileged":true}}', /"Privileged" and "privileged"/],
    ['long s (U+017F) folds to s', '{"HostConfig":{},"Hoſtconfig":{"Privileged":true}}', /"HostConfig" and "Hoſtconfig"/],
    ['Kelvin sign (U+212A) folds to k', '{"NetworkMode":"bridge","Networ\u212aMode":"host"}', /"NetworkMode" and "Networ\u212aMode"/],
    ['\\u escape of the same key', '{"Privileged":false,"Privil\\u0065ged":true}', /twice/],
    ['escaped case variant', '{"Privileged":false,"\\u0070rivileged":true}', /"Privileged" and "privileged"/],
    ['deep inside a list', '{"a":[1,{"b":{"Mounts":[{"Type":"volume","TYPE":"bind"}]}}]}', /"Type" and "TYPE"/],
    ['map keys too (Labels)', '{"Labels":{"x":"1","X":"2"}}', /"x" and "X"/],
    ['non-ASCII case', '{"é":1,"É":2}', /"é" and "É"/],
    ['Greek final sigma', '{"σ":1,"ς":2}', /"σ" and "ς"/]
  ]
  for (const [name, text, reason] of cases) {
    const body = decodeBody(json(text), 'application/json', undefined)
    t.equal(body.kind, 'undecodable', name)
    if (body.kind === 'undecodable') {
      t.equal(body.status, 400, name)
      t.match(body.reason, reason, name)
    }
  }
  const distinct = decodeBody(json('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}],"ß":1,"ss":2}'), undefined, undefined)
  t.equal(distinct.kind, 'json', 'the same key in different objects, and ß beside ss, are fine')
})

t.test('anything that is not exactly one JSON value is refused', async (t) => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['a second value', '{} {}', /data after the first JSON value/],
    ['trailing garbage', '{"Image":"x"}x', /data after/],
    ['trailing bracket', '{}]', /data after/],
    ['trailing comma in object', '{"a":1,}', /object key/],
    ['trailing comma in list', '[1,]', /invalid value/],
    ['single quotes', "{'a':1}", /object key/],
    ['NaN', 'NaN', /invalid value/],
    ['leading zero', '01', /data after/],
    ['bare fraction', '.5', /invalid value/],
    ['plus sign', '+1', /invalid value/],
    ['unknown escape', '"\\x"', /invalid escape/],
    ['short \\u escape', '"\\u12"', /invalid \\u escape/],
    ['raw control character', '"a\tb"', /control character/],
    ['unterminated string', '{"a":"b', /unterminated/],
    ['unterminated object', '{"a":1', /missing comma or closing brace/],
    ['missing colon', '{"a" 1}', /missing colon/],
    ['comment', '{/* x */}', /object key/],
    ['byte order mark', Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), /invalid value/],
    ['truncated literal', 'tru', /invalid value/],
    ['lone high surrogate escape', '"\\ud800"', /lone UTF-16 surrogate/],
    ['lone low surrogate escape', '"\\udc00"', /lone UTF-16 surrogate/],
    ['high surrogate before a letter', '"\\ud800\\u0041"', /lone UTF-16 surrogate/],
    ['invalid UTF-8 byte', Buffer.from([0x22, 0xff, 0x22]), /not valid UTF-8/],
    ['overlong UTF-8', Buffer.from([0x22, 0xc0, 0xaf, 0x22]), /not valid UTF-8/],
    ['UTF-8 encoded surrogate', Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), /not valid UTF-8/]
  ]
  for (const [name, text, reason] of cases) {
    const body = decodeBody(typeof text === 'string' ? json(text) : text, undefined, undefined)
    t.equal(body.kind, 'undecodable', name)
    if (body.kind === 'undecodable') {
      t.equal(body.status, 400, name)
      t.match(body.reason, reason, name)
    }
  }
})

t.test('nesting is limited to 100 levels', async (t) => {
  t.equal(decodeBody(json('['.repeat(100) + ']'.repeat(100)), undefined, undefined).kind, 'json')
  const deep = decodeBody(json('{"a":'.repeat(100) + '[1]' + '}'.repeat(100)), undefined, undefined)
  t.equal(deep.kind, 'undecodable')
  if (deep.kind === 'undecodable') t.match(deep.reason, /nesting deeper than 100/)
})

t.test('forms and compressed bodies are refused with 415', async (t) => {
  const cases: Array<[string | undefined, string | undefined, number | undefined]> = [
    ['application/json', undefined, undefined],
    ['application/json; charset=utf-8', '', undefined],
    [undefined, 'identity', undefined],
    ['text/plain', ' Identity ', undefined],
    ['application/x-www-form-urlencoded', undefined, 415],
    [' Application/X-WWW-Form-Urlencoded ; charset=x', undefined, 415],
    ['multipart/form-data; boundary=x', undefined, 415],
    ['multipart/form-data; ===', undefined, 415],
    ['multİpart/form-data', undefined, 415],
    ['application/json', 'gzip', 415],
    ['application/json', 'deflate', 415]
  ]
  for (const [contentType, contentEncoding, status] of cases) {
    const body = decodeBody(json('{"Image":"x"}'), contentType, contentEncoding)
    const label = `${contentType ?? '-'} / ${contentEncoding ?? '-'}`
    if (status === undefined) t.equal(body.kind, 'json', label)
    else t.match(body, { kind: 'undecodable', status }, label)
  }
  t.equal(isFormBody('application/json'), false)
  t.equal(isFormBody('application/x-www-form-urlencoded;'), true)
})

t.test('field() matches keys as Go matches struct fields', async (t) => {
  const body = decodeBody(json('{"hoſtconfig":{"PRIVILEGED":true,"Networ\u212aMode":"host","__proto__":{"x":1}}}'), undefined, undefined)
  t.equal(body.kind, 'json')
  if (body.kind !== 'json') return
  const hostConfig = field(body.value, 'HostConfig')
  t.equal(field(hostConfig, 'Privileged'), true, 'case')
  t.equal(field(hostConfig, 'NetworkMode'), 'host', 'Kelvin sign')
  t.same(field(hostConfig, '__proto__'), { x: 1 }, '__proto__ is an ordinary key')
  t.equal(field(hostConfig, 'PidMode'), undefined, 'absent')
  t.equal(field(hostConfig, 'Privilegedx'), undefined, 'no prefix match')
  t.equal(field({ Privileged: false, privileged: true }, 'Privileged'), false, 'an exact match wins (objects not from the parser)')
  t.equal(field({ PRIVILEGED: true }, 'Privileged'), true, 'objects not from the parser fold too')
  for (const notObject of [undefined, null, 'x', 1, [{ Privileged: true }]]) t.equal(field(notObject, 'Privileged'), undefined)
})
