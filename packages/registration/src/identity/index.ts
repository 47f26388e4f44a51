// The swarm identity registration creates: CA, server certificate, token signing keys, the node agents' TLS identity.
export { createCa, type CaOptions, type CertificateAndKey } from './ca.js'
export { createServerCert, serverSans, sansOf, type ServerCertOptions } from './server-cert.js'
export { createSigningKey, createSigningKeySet, rotateSigningKeySet, verifyingKeySet, type PrivateJwk } from './signing-keys.js'
export { createAgentIdentity, type AgentIdentity } from './agent-identity.js'
