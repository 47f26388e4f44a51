/**
 * Keeps docs/authorization.md's route table in step with the policy: every engine route the
 * router knows, with what each built-in role may do there, as the code decides it. On a
 * mismatch the expected table is printed, to paste into the document.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { ROUTES } from '../../packages/core/src/authorization/routes.js'
import { builtinRefusal } from '../../packages/core/src/authorization/roles.js'
import { CHECKS } from '../../packages/core/src/authorization/checks.js'
import type { BuiltinRole } from '../../packages/core/src/authorization/types.js'

const HEADING = '## Every route'

function cell (base: BuiltinRole, action: string): string {
  const refusal = builtinRefusal(base, action)
  if (refusal !== undefined) return `no (${refusal.rule})`
  const check = CHECKS.get(action)
  if (check === undefined) return 'yes'
  const what = [check.body ? 'body' : '', check.facts.join(', ')].filter((w) => w !== '').join('; ')
  return `checked (${what === '' ? 'query' : what})`
}

function expectedTable (): string {
  return ['| method | route | action | operator | viewer |', '|---|---|---|---|---|',
    ...ROUTES.map((r) => `| \`${r.method}\` | \`${r.pattern.replaceAll('|', '\\|')}\` | \`${r.action}\` | ${cell('operator', r.action)} | ${cell('viewer', r.action)} |`)
  ].join('\n')
}

t.test('docs/authorization.md lists every route with what each role may do', async (t) => {
  const doc = await readFile(new URL('../../docs/authorization.md', import.meta.url), 'utf8')
  const start = doc.indexOf(HEADING)
  t.not(start, -1, `the document has a section "${HEADING}"`)
  const section = doc.slice(start)
  const table = section.slice(section.indexOf('| method |'), section.indexOf('\n\n', section.indexOf('| method |')) >>> 0).trim()
  const expected = expectedTable()
  if (table !== expected) t.comment(`expected table:\n${expected}`)
  t.equal(table, expected, 'the table is what the code decides')
})
