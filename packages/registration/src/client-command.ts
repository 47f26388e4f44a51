/** The command registration prints for clients, as the original printed it. */

/** `docker run ... swarmgate/client <name> --endpoint ... --fingerprint ...` */
export function clientCommand (swarmName: string, endpoints: readonly string[], fingerprint: string): string {
  return [
    'docker run --rm -ti -v /var/run/docker.sock:/var/run/docker.sock -e DOCKER_HOST swarmgate/client',
    swarmName,
    ...endpoints.map((e) => `--endpoint ${e}`),
    `--fingerprint ${fingerprint}`
  ].join(' ')
}
