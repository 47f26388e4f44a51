/**
 * The tar format, as far as the engine's archive endpoints need it: the client writes its saved
 * swarms into the volume with PUT /containers/{id}/archive and reads them back with GET. The
 * owner and mode in each header are what the engine gives the files it unpacks.
 */

export interface TarEntry {
  readonly path: string
  readonly type: 'file' | 'dir'
  readonly mode: number
  readonly uid: number
  readonly gid: number
  readonly content?: Buffer
}

const BLOCK = 512

function octal (value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** Splits a long path into the ustar prefix (155) and name (100) fields. */
function splitPath (path: string): [string, string] {
  if (Buffer.byteLength(path) <= 100) return ['', path]
  const at = path.lastIndexOf('/', path.length - 2)
  const prefix = path.slice(0, at)
  const name = path.slice(at + 1)
  if (at <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name) > 100) throw new RangeError(`path too long for tar: ${path}`)
  return [prefix, name]
}

function header (entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK)
  const [prefix, name] = splitPath(entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path)
  h.write(name, 0, 100)
  h.write(octal(entry.mode, 8), 100)
  h.write(octal(entry.uid, 8), 108)
  h.write(octal(entry.gid, 8), 116)
  h.write(octal(size, 12), 124)
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136)
  h.write('        ', 148)
  h.write(entry.type === 'dir' ? '5' : '0', 156)
  h.write('ustar\u000000', 257)
  h.write(prefix, 345, 155)
  let sum = 0
  for (const byte of h) sum += byte
  h.write(octal(sum, 7) + ' ', 148)
  return h
}

function padding (size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)
}

/** A tar archive of `entries`. */
export function packTar (entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = []
  for (const entry of entries) {
    const content = entry.type === 'file' ? entry.content ?? Buffer.alloc(0) : Buffer.alloc(0)
    parts.push(header(entry, content.length), content, padding(content.length))
  }
  parts.push(Buffer.alloc(2 * BLOCK))
  return Buffer.concat(parts)
}

function field (block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8')
}

/** Pax extended header records: `<len> key=value\n`. */
function paxPath (data: Buffer): string | undefined {
  for (const record of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(record)
    if (m !== null) return m[1]
  }
  return undefined
}

/** The regular files of a tar archive, by path (as the archive names them, without a leading ./). */
export function unpackTarFiles (tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>()
  let at = 0
  let longName: string | undefined
  while (at + BLOCK <= tar.length) {
    const block = tar.subarray(at, at + BLOCK)
    if (block.every((b) => b === 0)) break
    const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8)
    const type = String.fromCharCode(block[156] ?? 0)
    const data = tar.subarray(at + BLOCK, at + BLOCK + size)
    at += BLOCK + size + padding(size).length
    // GNU long names (L) and pax headers (x) name the entry that follows.
    if (type === 'L') { longName = data.toString('utf8').replace(/\0+$/, ''); continue }
    if (type === 'x') { longName = paxPath(data) ?? longName; continue }
    if (type === 'g') continue
    const prefix = field(block, 345, 155)
    const path = (longName ?? (prefix === '' ? field(block, 0, 100) : `${prefix}/${field(block, 0, 100)}`)).replace(/^\.\//, '')
    longName = undefined
    if (type === '0' || type === '\0') files.set(path, Buffer.from(data))
  }
  return files
}
