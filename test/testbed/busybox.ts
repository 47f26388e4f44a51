/** The test image with a shell in it: swarmgate-test/busybox, made from Debian's busybox-static. */
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { docker, runDocker } from './docker.js'

export const BUSYBOX_IMAGE = 'swarmgate-test/busybox:latest'

// busybox-static installs it here (scripts/engine.sh --test-tools makes sure it is installed);
// the plain busybox package puts a dynamically linked one at the same path, useless FROM scratch.
const STATIC_BUSYBOX = '/bin/busybox'

/** Builds swarmgate-test/busybox unless the engine already has it. */
export async function ensureBusyboxImage (): Promise<string> {
  if ((await runDocker(['image', 'inspect', BUSYBOX_IMAGE])).code === 0) return BUSYBOX_IMAGE
  const context = await mkdtemp(join(tmpdir(), 'swarmgate-busybox-'))
  try {
    await copyFile(STATIC_BUSYBOX, join(context, 'busybox'))
    await copyFile(fileURLToPath(new URL('busybox.Dockerfile', import.meta.url)), join(context, 'Dockerfile'))
    await docker(['build', '-q', '-t', BUSYBOX_IMAGE, context])
  } finally {
    await rm(context, { recursive: true, force: true })
  }
  return BUSYBOX_IMAGE
}
