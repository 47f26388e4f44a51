/**
 * `policy show|set FILE|check FILE`: the policy document (docs/authorization.md) that defines
 * custom roles, each role's mode and the owner's allowlists. It is validated with core's parser,
 * the one server-proxy runs, before anything changes: a broken document leaves the running one in
 * place. `set` stores it as the next config version and rolls server-proxy over to it.
 */
import { readFile } from 'node:fs/promises'
import { text as readAll } from 'node:stream/consumers'
import { BUILTIN_ROLES, hasCode, parsePolicy, SwarmgateError, type PolicyDocument } from '@swarmgate/core'
import type { Context } from '../context.js'
import { redeploy } from '../deploy.js'
import { errors } from '../errors.js'
import { LABELS } from '../names.js'
import { currentConfig, readState } from '../registration-state.js'
import { isBuiltinRole } from '../role-names.js'
import { createSwarmConfig, readSwarmConfig } from '../swarm-configs.js'

const USAGE = 'use policy show, policy set FILE or policy check FILE (FILE - reads standard input)'

/** FILE's text, or standard input's for `-`. */
async function readDocument (ctx: Context, file: string): Promise<string> {
  if (file === '-') return await readAll(ctx.stdin)
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw errors.SG_ERR_REGISTRATION_POLICY_FILE(`${file} (${code}); registration runs in a container, which sees only the files mounted into it: add -v "$PWD/policy.yaml:/policy.yaml:ro" to docker run and give /policy.yaml, or give - and pipe the document in with docker run -i`, err)
  }
}

/** Parses FILE's document; a broken one fails naming FILE, the line and the reason. */
async function parseFile (ctx: Context, file: string, after: string): Promise<{ text: string, document: PolicyDocument }> {
  const text = await readDocument(ctx, file)
  try {
    return { text, document: parsePolicy(text) }
  } catch (err) {
    if (!hasCode(err, 'SG_ERR_POLICY_INVALID')) throw err
    throw new SwarmgateError(err.code, `${file === '-' ? 'standard input' : file}: ${err.message}; ${after}`, { cause: err })
  }
}

function describe (document: PolicyDocument): string {
  const custom = [...document.roles.keys()].filter((r) => !isBuiltinRole(r))
  return custom.length === 0 ? 'no custom roles' : `custom roles ${custom.join(', ')}`
}

/** Runs `policy <sub> [FILE]`. */
export async function policy (ctx: Context, args: readonly string[]): Promise<void> {
  const [sub, file, ...extra] = args
  const wantsFile = sub === 'set' || sub === 'check'
  if (extra.length > 0 || (sub !== 'show' && !wantsFile) || (wantsFile === (file === undefined))) {
    throw errors.SG_ERR_REGISTRATION_COMMAND(`policy ${args.join(' ')}: ${USAGE}`)
  }
  if (sub === 'check') {
    const { document } = await parseFile(ctx, file as string, 'fix it and check again')
    ctx.stdout.write(`${file as string} is a valid policy document (${describe(document)}).\n`)
    return
  }
  if (sub === 'set') {
    // Validated before anything is read or changed on the swarm.
    const { text, document } = await parseFile(ctx, file as string, 'nothing was changed, the running policy stays in force')
    await setPolicy(ctx, text, document)
    return
  }
  const state = await readState(ctx.engine)
  if (state.service === undefined) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('run swarmgate/registration first')
  const current = currentConfig(state, 'policy')
  if (current === undefined) {
    ctx.stdout.write(`This swarm has no policy document: the built-in roles ${BUILTIN_ROLES.join(', ')} apply, enforced, with no allowlists.\n`)
    return
  }
  ctx.stderr.write(`The policy document in force is ${current.name}:\n`)
  ctx.stdout.write(await readSwarmConfig(ctx.engine, current))
}

async function setPolicy (ctx: Context, text: string, document: PolicyDocument): Promise<void> {
  const state = await readState(ctx.engine)
  if (state.service === undefined || state.swarmName === undefined) throw errors.SG_ERR_REGISTRATION_NOT_REGISTERED('run swarmgate/registration first')
  const current = currentConfig(state, 'policy')
  if (current !== undefined && await readSwarmConfig(ctx.engine, current) === text) {
    ctx.stdout.write(`The policy document is unchanged (${current.name}); nothing to do.\n`)
    return
  }
  const config = await createSwarmConfig(ctx.engine, state.configs, 'policy', text, { ...ctx.labels, [LABELS.swarm]: state.swarmName })
  ctx.stderr.write(`Created ${config.name}\n`)
  await redeploy(ctx, state, { config })
  ctx.stdout.write(`Set the policy document ${config.name} (${describe(document)}); server-proxy enforces it on every manager.\n`)
}
