/**
 * What a test file that uses the real engine declares once at its top: `useEngine(t)`. Each file
 * sets up and cleans up for itself, so a file run alone (`npx tap test/e2e/x.test.ts`) works the
 * same as inside `npm test`.
 */
import { ensureBusyboxImage } from './busybox.js'
import { cleanup } from './cleanup.js'
import { ensureSwarm } from './engine.js'
import { ensureProgramImages, type Program } from './images.js'

/** The part of tap's Test that useEngine needs. */
export interface Hooks {
  before: (fn: () => Promise<unknown>) => unknown
  teardown: (fn: () => Promise<unknown>) => unknown
}

export interface EngineNeeds {
  /** Program images the file runs; built (scripts/images.sh) when missing. */
  readonly images?: readonly Program[]
}

/**
 * Before the file's first test: the engine, the swarm, the test tools, the busybox image and the
 * program images in `needs` are made sure of, and test objects an interrupted earlier run left
 * are removed. After its last test: every test-labelled object is removed, and a removal that
 * fails fails the file. (One call per file: tap loses the failure of a second `t.before`.)
 */
export function useEngine (t: Hooks, needs: EngineNeeds = {}): void {
  t.before(async () => { await prepareEngine(needs) })
  t.teardown(async () => { await cleanup() })
}

/** What useEngine does before a file's first test, for a file that declares more (useLab). */
export async function prepareEngine (needs: EngineNeeds = {}): Promise<void> {
  await ensureSwarm({ testTools: true })
  await ensureBusyboxImage()
  if (needs.images !== undefined && needs.images.length > 0) await ensureProgramImages(needs.images)
  await cleanup()
}
