/**
 * Host paths as the engine reads a bind source: cleaned with Go's path.Clean (the engine mounts
 * `path.Clean(source)`), then compared with the owner's allowlist at path-segment boundaries, so
 * `/srv/data/../../etc` is `/etc` and `/srv/database` is not under `/srv/data`.
 * Symbolic links are resolved on the host, out of our sight: an allowlisted directory an operator
 * can write into lets them plant a link to anywhere, so only what they cannot write belongs there.
 */

/** Go's path.Clean: repeated slashes, `.` and `..` resolved lexically, no trailing slash. */
export function cleanPath (path: string): string {
  const rooted = path.startsWith('/')
  const out: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment !== '..') out.push(segment)
    else if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
    else if (!rooted) out.push('..')
  }
  const joined = out.join('/')
  if (rooted) return `/${joined}`
  return joined === '' ? '.' : joined
}

/** True when `source` is an absolute path at or under one of the allowlisted (absolute) sources. */
export function allowlistedSource (source: string, allowlist: readonly string[]): boolean {
  const path = cleanPath(source)
  if (!path.startsWith('/')) return false
  return allowlist.some((entry) => {
    const allowed = cleanPath(entry)
    if (!allowed.startsWith('/')) return false
    return allowed === '/' || path === allowed || path.startsWith(`${allowed}/`)
  })
}
