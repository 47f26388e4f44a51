/**
 * Keeps each program's README in step with its declared flags: every flag and environment
 * variable a program accepts is documented, and the README documents none it does not accept.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import type { OptionSpec, ProgramSpec } from '@swarmgate/core'
import { program as serverProxy } from '../../packages/server-proxy/src/config.js'
import { program as clientProxy } from '../../packages/client-proxy/src/config.js'

const programs: Array<[string, ProgramSpec<Record<string, OptionSpec>>]> = [
  ['packages/server-proxy/README.md', serverProxy],
  ['packages/client-proxy/README.md', clientProxy]
]

for (const [readme, program] of programs) {
  t.test(readme, async (t) => {
    const text = await readFile(new URL(`../../${readme}`, import.meta.url), 'utf8')
    const declared = Object.values(program.options)
    for (const opt of declared) {
      t.match(text, `\`${opt.flag}`, `${opt.flag} is documented`)
      if (opt.env !== undefined) t.match(text, `\`${opt.env}\``, `${opt.env} is documented`)
    }
    const flagsTable = text.slice(text.indexOf('## Flags and environment'), text.indexOf('## Errors'))
    const documented = [...flagsTable.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1])
    t.same(documented.filter((f) => !declared.some((o) => o.flag === f)), [], 'no undeclared flag is documented')
  })
}
