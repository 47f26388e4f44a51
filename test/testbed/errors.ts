/**
 * The test bed's failures, with stable codes like every swarmgate package (packages/core's
 * errors). Tests and the before/after scripts match on `code`, never on the message.
 */
import { defineErrors } from '../../packages/core/src/errors.js'

export const errors = defineErrors({
  SG_ERR_TESTBED_COMMAND: { message: 'a command the test bed ran failed' },
  SG_ERR_TESTBED_TIMEOUT: { message: 'the test bed gave up waiting' },
  SG_ERR_TESTBED_ENGINE: { message: 'no usable Docker engine' },
  SG_ERR_TESTBED_CLEANUP: { message: 'test objects could not all be removed' },
  SG_ERR_TESTBED_REGISTRY: { message: 'the test registry did not start' },
  SG_ERR_TESTBED_BRIDGE: { message: 'containers on the default bridge cannot reach this machine' },
  SG_ERR_TESTBED_LAB: { message: 'the multi-node lab did not start or stop' }
})
