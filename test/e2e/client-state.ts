/**
 * What the client leaves on a machine after a login, read back for the tests that check nothing
 * of the password or token is kept: the files of its volume (through a busybox container, as the
 * volume may be on an engine of its own) and of a docker configuration folder it wrote to.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BUSYBOX_IMAGE, docker, LABEL_ARGS } from '../testbed/index.js'

const MARK = '\n=== swarmgate-test-file '

/** Every file of the volume `volume`, by path from its root (`swarms/alice/prod/swarm.json`). */
export async function volumeFiles (volume: string): Promise<Map<string, string>> {
  const out = await docker(['run', '--rm', ...LABEL_ARGS, '--network', 'none', '-v', `${volume}:/s:ro`, BUSYBOX_IMAGE, 'sh', '-c',
    `cd /s && find . -type f | sort | while read -r f; do printf '${MARK.replace(/\n/g, '\\n')}%s\\n' "$f"; cat "$f"; done`])
  const files = new Map<string, string>()
  for (const part of `\n${out}`.split(MARK).slice(1)) {
    const newline = part.indexOf('\n')
    files.set(part.slice(0, newline === -1 ? part.length : newline).replace(/^\.\//, ''), newline === -1 ? '' : part.slice(newline + 1))
  }
  return files
}

/** Every file under the folder `dir` of this machine, by path relative to it. */
export async function folderFiles (dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(path.slice(dir.length + 1), await readFile(path, 'utf8'))
  }
  return files
}

/** The paths of `files` in which `secret` shows. */
export function filesHolding (files: ReadonlyMap<string, string>, secret: string): string[] {
  return [...files].filter(([, content]) => content.includes(secret)).map(([path]) => path)
}
