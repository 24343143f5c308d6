/**
 * The watchtower's checkpoint store (Node only, never bundled): a directory of signed checkpoints as JSON files,
 * one per channel and version (`<channelId>-v<version>.json`, layout in watchtower/checkpointJson.ts). The app's
 * exporter and agents write with `saveCheckpoint` (temp file + rename, so a reader never sees half a file); the
 * headless watchtower reads with `loadCheckpoints` / `createStoreReader`, which validate every field and skip a
 * malformed file with a logged reason.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hex } from 'viem'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'
import { checkpointFromJson, checkpointToJson } from '../watchtower/checkpointJson.ts'

const FILE = /^(0x[0-9a-f]{64})-v([1-9][0-9]*)\.json$/

/** The store's file name for `version` of `channelId`. */
export function checkpointFileName(channelId: Hex, version: bigint): string {
  return `${channelId.toLowerCase()}-v${version}.json`
}

/**
 * Writes `signed` to `dir` (created if missing) atomically. When the file already holds the same checkpoint (same
 * digest), the signatures of both are kept, so exporters that saw different signature sets add up. Returns the path.
 */
export async function saveCheckpoint(dir: string, channelId: Hex, signed: SignedCheckpoint): Promise<string> {
  await mkdir(dir, { recursive: true })
  const name = checkpointFileName(channelId, signed.version)
  const path = join(dir, name)
  let merged = signed
  try {
    const old = checkpointFromJson(JSON.parse(await readFile(path, 'utf8')))
    if (old.checkpoint.digest.toLowerCase() === signed.digest.toLowerCase()) {
      const signatures = new Map(old.checkpoint.signatures)
      for (const [i, s] of signed.signatures) signatures.set(i, s)
      merged = { ...signed, signatures }
    }
  } catch {
    // no file yet, or a malformed one: replaced
  }
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    await writeFile(tmp, `${JSON.stringify(checkpointToJson(channelId, merged), null, 2)}\n`)
    await rename(tmp, path)
  } catch (e) {
    await rm(tmp, { force: true })
    throw e
  }
  return path
}

export type StoreLog = (message: string) => void

/**
 * Every valid checkpoint of `channelId` in `dir`, oldest version first. Files of other channels are passed over;
 * a `.json` file that does not parse, fails validation, or whose content does not match its name is skipped and
 * reported through `log`. A missing directory reads as empty.
 */
export async function loadCheckpoints(
  dir: string,
  channelId: Hex,
  log: StoreLog = () => {},
): Promise<SignedCheckpoint[]> {
  const want = channelId.toLowerCase()
  const out: SignedCheckpoint[] = []
  for (const name of await listJson(dir)) {
    const m = FILE.exec(name)
    if (!m) {
      log(`store: ignoring ${name}: name is not <channelId>-v<version>.json`)
      continue
    }
    if (m[1] !== want) continue
    try {
      const { channelId: id, checkpoint } = checkpointFromJson(
        JSON.parse(await readFile(join(dir, name), 'utf8')),
      )
      if (id.toLowerCase() !== want) throw new Error(`channelId ${id} does not match the file name`)
      if (checkpoint.version !== BigInt(m[2]!))
        throw new Error(`version ${checkpoint.version} does not match the file name`)
      out.push(checkpoint)
    } catch (e) {
      // a file removed between listing and reading is not malformed
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue
      log(`store: ignoring ${name}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  return out.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
}

/**
 * A loader for the watchtower's `loadCheckpoints` option: each call lists `dir` and re-reads it only when a file
 * was added, removed or changed (name, size, mtime) since the last call, so malformed files are reported once per
 * change, not once per poll.
 */
export function createStoreReader(
  dir: string,
  channelId: Hex,
  log: StoreLog = () => {},
): () => Promise<SignedCheckpoint[]> {
  let fingerprint: string | undefined
  let cached: SignedCheckpoint[] = []
  return async () => {
    const parts: string[] = []
    for (const name of await listJson(dir)) {
      try {
        const s = await stat(join(dir, name))
        parts.push(`${name}:${s.size}:${s.mtimeMs}`)
      } catch {
        // removed meanwhile
      }
    }
    const now = parts.join('|')
    if (now !== fingerprint) {
      cached = await loadCheckpoints(dir, channelId, log)
      fingerprint = now
    }
    return cached
  }
}

async function listJson(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
}
