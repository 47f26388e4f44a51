// Keeps the error codes and the README in step: every code is documented, every documented code exists.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { errors } from '../src/errors.js'

t.test('every error code is listed in the README, and only those', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const documented = [...readme.matchAll(/`(SG_ERR_CLIENT_[A-Z_]+)`/g)].map((m) => m[1])
  t.same([...new Set(documented)].sort(), Object.keys(errors).sort())
})
