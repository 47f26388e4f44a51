/** The four program images, as `npm run images` (scripts/images.sh) builds them. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runDocker } from './docker.js'
import { REPO_ROOT } from './engine.js'
import { runChecked } from './process.js'

export const PROGRAMS = ['registration', 'server-proxy', 'client-proxy', 'client'] as const
export type Program = typeof PROGRAMS[number]

/** The version scripts/images.sh tags a program's image with: its package.json version. */
export function programVersion (program: Program): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', program, 'package.json'), 'utf8')) as { version: string }
  return pkg.version
}

/** swarmgate/<program>:<version>, the tag tests run (never :latest, which another build may move). */
export function programImage (program: Program): string {
  return `swarmgate/${program}:${programVersion(program)}`
}

/**
 * Builds the images of `programs` with scripts/images.sh when any of them is missing. `npm test`
 * builds them all before tap starts; this serves a test file run on its own.
 */
export async function ensureProgramImages (programs: readonly Program[] = PROGRAMS): Promise<void> {
  const missing: Program[] = []
  for (const p of programs) {
    if ((await runDocker(['image', 'inspect', programImage(p)])).code !== 0) missing.push(p)
  }
  if (missing.length === 0) return
  await runChecked('bash', ['scripts/images.sh', ...missing], { cwd: REPO_ROOT, timeoutMs: 10 * 60_000 })
}
