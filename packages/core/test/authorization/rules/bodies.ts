// Bodies for the rule tests, decoded by go-json as server-proxy decodes them, and a table runner.
import { readFileSync } from 'node:fs'
import type { Test } from 'tap'
import { decodeBody } from '../../../src/authorization/go-json.js'
import type { Violation } from '../../../src/authorization/rules/index.js'

/** `text` decoded as the gateway decodes a body (failing the test when it is not decodable). */
export function decoded (text: string): unknown {
  const body = decodeBody(Buffer.from(text, 'utf8'), 'application/json', undefined)
  if (body.kind !== 'json') throw new Error(`not decodable: ${text}`)
  return body.value
}

/** A body the docker CLI sent (fixtures/docker-cli), decoded. */
export function cliBody (name: string): unknown {
  return decoded(readFileSync(new URL(`../fixtures/docker-cli/${name}.json`, import.meta.url), 'utf8'))
}

/** One row: a name, the input, and the rule it must break (undefined: allowed). */
export type Row<I> = readonly [name: string, input: I, rule: string | undefined]

/** Runs `check` on each row and compares the rule it reports; a violation's text must be a sentence fragment. */
export function table<I> (t: Test, rows: ReadonlyArray<Row<I>>, check: (input: I) => Violation | undefined): void {
  for (const [name, input, rule] of rows) {
    const violation = check(input)
    t.equal(violation?.rule, rule, name)
    if (violation !== undefined) t.match(violation.what, /^[a-z]/, `${name}: what reads after "may not"`)
  }
}
