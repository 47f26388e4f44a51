/**
 * Certificates for dockerd's own mutual TLS, made with openssl the way Docker's documentation
 * ("Protect the Docker daemon socket") does: a CA, a server certificate for 127.0.0.1 and a client
 * certificate. ECDSA P-256 like swarmgate's own certificates, so the TLS paths compare the same
 * key type.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runChecked } from '../../test/testbed/process.js'

export interface TlsFiles {
  /** Directory for DOCKER_CERT_PATH: ca.pem, cert.pem, key.pem (the client's). */
  readonly clientDir: string
  readonly caPem: string
  readonly serverCert: string
  readonly serverKey: string
}

const DAYS = '2'

async function openssl (args: readonly string[]): Promise<void> {
  await runChecked('openssl', args, { timeoutMs: 30_000 })
}

async function newKey (path: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path])
}

/** Signs a certificate for `cn` with the CA, with the given extensions (an openssl extfile). */
async function issue (dir: string, name: string, cn: string, extensions: string): Promise<void> {
  const key = join(dir, `${name}-key.pem`)
  await newKey(key)
  await openssl(['req', '-new', '-key', key, '-subj', `/CN=${cn}`, '-out', join(dir, `${name}.csr`)])
  await writeFile(join(dir, `${name}.ext`), extensions)
  await openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca-key.pem'),
    '-CAcreateserial', '-days', DAYS, '-sha256', '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}-cert.pem`)])
}

/** Writes the CA, server and client files into `dir`. */
export async function createDockerdTls (dir: string): Promise<TlsFiles> {
  await newKey(join(dir, 'ca-key.pem'))
  await openssl(['req', '-x509', '-new', '-key', join(dir, 'ca-key.pem'), '-subj', '/CN=swarmgate bench CA', '-days', DAYS, '-sha256', '-out', join(dir, 'ca.pem')])
  await issue(dir, 'server', '127.0.0.1', 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n')
  await issue(dir, 'client', 'bench-client', 'extendedKeyUsage = clientAuth\n')
  // The docker CLI looks for exactly these names under DOCKER_CERT_PATH.
  const clientDir = join(dir, 'client')
  await mkdir(clientDir)
  await copyFile(join(dir, 'ca.pem'), join(clientDir, 'ca.pem'))
  await copyFile(join(dir, 'client-cert.pem'), join(clientDir, 'cert.pem'))
  await copyFile(join(dir, 'client-key.pem'), join(clientDir, 'key.pem'))
  return { clientDir, caPem: join(dir, 'ca.pem'), serverCert: join(dir, 'server-cert.pem'), serverKey: join(dir, 'server-key.pem') }
}
