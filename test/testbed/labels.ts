/**
 * The label that marks what tests create, and whose it is. Its value names the test process that
 * created the object, so cleanup() removes what this process made and what processes that no
 * longer run left behind (an interrupted run), but never the objects of a test run going on
 * beside this one on the same engine. Nothing but tests ever carries the label.
 */
export const TEST_LABEL = 'io.swarmgate.test'

/** This test process's mark. Each tap test file runs in a process of its own. */
export const TEST_OWNER = `pid-${process.pid}`

/** `io.swarmgate.test=<owner>`, for a program under test that takes labels to add. */
export const TEST_LABEL_PAIR = `${TEST_LABEL}=${TEST_OWNER}`

/** For docker container/network/volume/secret/config create. */
export const LABEL_ARGS: readonly string[] = ['--label', TEST_LABEL_PAIR]

/** For docker service create: the service and the containers of its tasks both carry the label. */
export const SERVICE_LABEL_ARGS: readonly string[] = [...LABEL_ARGS, '--container-label', TEST_LABEL_PAIR]

/**
 * True when an object whose test label has the value `owner` is this process's to remove: it is
 * this process's own, or the process that made it is gone, or the value is not a process mark.
 */
export function removableOwner (owner: string): boolean {
  if (owner === TEST_OWNER) return true
  const pid = /^pid-(\d+)$/.exec(owner)?.[1]
  if (pid === undefined) return true
  try {
    process.kill(Number(pid), 0)
    return false
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
