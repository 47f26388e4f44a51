/**
 * Flags for every container a conformance test runs. They carry the test label (test/testbed
 * removes them by it) and stay off the default bridge: on the shared engine docker0 can vanish
 * (a second dockerd started with --bridge=none deletes it), and no check here needs a network.
 * The one that does (docker port) adds its own.
 */
import { LABEL_ARGS } from '../testbed/index.js'

export const CONTAINER_ARGS: readonly string[] = [...LABEL_ARGS, '--network', 'none']
