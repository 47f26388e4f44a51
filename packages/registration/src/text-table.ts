/** The tables `users ls` and `teams ls` print: columns padded to the widest cell plus two spaces. */

/** `rows` (the header first) as lines, the last column unpadded. */
export function textTable (rows: ReadonlyArray<readonly string[]>): string {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 2)
  return rows.map((r) => r.map((cell, i) => i === r.length - 1 ? cell : cell.padEnd(widths[i] as number)).join('')).join('\n') + '\n'
}
