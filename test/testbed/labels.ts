/**
 * The label that marks what tests create. cleanup() removes exactly the objects carrying it, so
 * every container, service, secret, config, network and volume a test creates must carry it, and
 * nothing else ever does.
 */
export const TEST_LABEL = 'io.swarmgate.test'

/** `--label io.swarmgate.test=true`, for docker container/network/volume/secret/config create. */
export const LABEL_ARGS: readonly string[] = ['--label', `${TEST_LABEL}=true`]

/** For docker service create: the service and the containers of its tasks both carry the label. */
export const SERVICE_LABEL_ARGS: readonly string[] = [...LABEL_ARGS, '--container-label', `${TEST_LABEL}=true`]
