/** Extra labels a user (or a test) asks for with repeatable `--label key=value`. */
import { SwarmgateError } from '../errors.js'
import type { Labels } from './types.js'

/** Parses `key=value` items; a key without `=` gets the empty value, as docker's --label does. */
export function parseLabels (items: readonly string[], flag = '--label'): Labels {
  const out: Record<string, string> = {}
  for (const item of items) {
    const at = item.indexOf('=')
    const key = (at === -1 ? item : item.slice(0, at)).trim()
    if (key === '' || /\s/.test(key)) throw new SwarmgateError('SG_ERR_LABEL_FORMAT', `${flag} "${item}" is not key=value with a key without spaces`)
    out[key] = at === -1 ? '' : item.slice(at + 1)
  }
  return Object.freeze(out)
}
