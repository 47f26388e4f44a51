/**
 * Reading swarmgate secrets back. The API never returns a secret's content, and a plain container
 * cannot mount swarm secrets, so registration starts a one-task service on this node with the
 * secrets mounted, reads them with `docker exec` (exec output is not logged, unlike the service's
 * own output), and removes the service again. It runs the server-proxy image, which has node.
 */
import { randomBytes } from 'node:crypto'
import type { EngineClient, Labels } from '@swarmgate/core'
import { errors } from './errors.js'
import { pinImage } from './image-pin.js'
import { LABELS } from './names.js'
import type { IdentitySecret } from './secrets.js'
import { waitFor } from './wait.js'

export interface ReaderOptions {
  readonly image: string
  /** The node registration runs on: the task must run here so `exec` can reach its container. */
  readonly nodeId: string
  readonly labels: Labels
  readonly timeoutMs: number
}

/** node -e program printing the named files of /run/secrets as one JSON object. */
const READ_FILES = 'const fs = require("fs"); process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).map((f) => [f, fs.readFileSync("/run/secrets/" + f, "utf8")]))))'

/** Reads the content of `secrets`, keyed by secret name. */
export async function readSecrets (engine: EngineClient, secrets: readonly IdentitySecret[], opts: ReaderOptions): Promise<Map<string, string>> {
  const labels = { ...opts.labels, [LABELS.component]: 'registration-reader' }
  const { ID } = await engine.createService({
    Name: `swarmgate-registration-reader-${randomBytes(4).toString('hex')}`,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        // It mounts the swarm's secrets: the image's content, not a tag anyone could move.
        Image: await pinImage(engine, opts.image),
        Labels: labels,
        // Stays up, doing nothing, until the service is removed.
        Command: ['node', '-e', 'setInterval(() => {}, 3600e3)'],
        Secrets: secrets.map((s) => ({ File: { Name: s.name, UID: '0', GID: '0', Mode: 0o400 }, SecretID: s.id, SecretName: s.name })),
        // The image's health check asks a server-proxy that does not run here.
        Healthcheck: { Test: ['NONE'] },
        StopGracePeriod: 1e9
      },
      RestartPolicy: { Condition: 'none' },
      Placement: { Constraints: [`node.id==${opts.nodeId}`] }
    },
    Mode: { Replicated: { Replicas: 1 } }
  })
  try {
    let lastState = 'not scheduled'
    const containerId = await waitFor(opts.timeoutMs, async () => {
      const [task] = await engine.tasks({ service: [ID] })
      if (task === undefined) return undefined
      lastState = `${task.Status.State}${task.Status.Err === undefined ? '' : `: ${task.Status.Err}`}`
      if (task.Status.State === 'failed' || task.Status.State === 'rejected') {
        throw errors.SG_ERR_REGISTRATION_READER(`the reader task on this node ${lastState} (image ${opts.image})`)
      }
      return task.Status.State === 'running' ? task.Status.ContainerStatus?.ContainerID : undefined
    })
    if (containerId === undefined) {
      throw errors.SG_ERR_REGISTRATION_READER(`the reader task on this node did not start within ${Math.round(opts.timeoutMs / 1000)} s (it is ${lastState}; image ${opts.image})`)
    }
    const result = await engine.exec(containerId, ['node', '-e', READ_FILES, ...secrets.map((s) => s.name)])
    if (result.exitCode !== 0) throw errors.SG_ERR_REGISTRATION_READER(`reading the files failed: ${result.stderr.trim()}`)
    return new Map(Object.entries(JSON.parse(result.stdout) as Record<string, string>))
  } finally {
    await engine.removeService(ID)
  }
}
