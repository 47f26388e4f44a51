/**
 * The labels registration puts on what it creates and finds its objects by: the contract between
 * registration (which sets and reads them) and server-proxy's authorization (which reserves them
 * to the owner: an object another role made with them could be taken for swarmgate's own, and a
 * secret so labelled could plant an owner account).
 */
export const REGISTRATION_LABELS = {
  /** On every swarmgate object: which part of swarmgate it is. */
  component: 'io.swarmgate.component',
  /** On secrets: which identity file it holds (a SecretKind). */
  kind: 'io.swarmgate.kind',
  /** On secrets: its version, 1, 2, ... (secrets are immutable: a change is a new version). */
  version: 'io.swarmgate.version',
  /** On secrets and the service: the cluster name, such as alice/prod. */
  swarm: 'io.swarmgate.swarm',
  /** On the service and the TLS certificate secret: the pin clients use, sha256:<hex> of the CA. */
  fingerprint: 'io.swarmgate.fingerprint',
  /** On the service: the endpoints printed in the client command, comma-separated. */
  endpoints: 'io.swarmgate.endpoints',
  /** On the service: "true" when the endpoints came from --endpoint (kept on later runs), else they follow the managers. */
  endpointsGiven: 'io.swarmgate.endpoints-given',
  /** On the service: the image registration was given; the tasks run it pinned to a digest or ID (registration's image-pin.ts). */
  image: 'io.swarmgate.image',
  /** On the TLS certificate secret: the names and addresses it is valid for, comma-separated. */
  sans: 'io.swarmgate.sans',
  /**
   * On the accounts secret: "named" when its roles are role names (owner, operator, viewer, custom).
   * A store without it was written before roles and may hold the legacy role "user": registration
   * reads it once and migrates it.
   */
  roles: 'io.swarmgate.roles'
} as const
