/**
 * A swarm's name, `<namespace>/<name>` in lower case, as registration gives it and the client
 * takes it. It is the audience of every token and part of the client-proxy container's name, so
 * both parts use the characters of account names, which Docker also accepts in container names.
 */
const PART = /^[a-z0-9][a-z0-9._-]{0,62}$/

/** Splits a valid swarm name into namespace and name; undefined when it is not valid. */
export function parseSwarmName (value: string): { readonly namespace: string, readonly name: string } | undefined {
  const parts = value.split('/')
  if (parts.length !== 2) return undefined
  const [namespace, name] = parts as [string, string]
  return PART.test(namespace) && PART.test(name) ? { namespace, name } : undefined
}

/** What a valid swarm name looks like, for error messages. */
export const SWARM_NAME_RULE = 'a lower-case namespace and name separated by a slash, such as alice/prod (letters, digits, dot, dash, underscore; each part starts with a letter or digit)'
