import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SignedCheckpoint } from '../../core/checkpoint.ts'
import {
  checkpointFileName,
  createStoreReader,
  loadCheckpoints,
  saveCheckpoint,
} from '../node/checkpointStore.ts'
import { CHECKPOINT_JSON_FORMAT, checkpointFromJson, checkpointToJson } from './checkpointJson.ts'

const CHANNEL: Hex = `0x${'ab'.repeat(32)}`
const OTHER: Hex = `0x${'cd'.repeat(32)}`
const fill = (len: number, b: number) => new Uint8Array(len).fill(b)

function signed(version: bigint, sigs: number[] = [0, 2]): SignedCheckpoint {
  return {
    version,
    leader: fill(32, 1),
    time: 1_700_000_000_000n + version,
    depositCount: 4n,
    forcedCount: 0n,
    stateRoot: fill(32, 2),
    balancesRoot: fill(32, 3),
    digest: `0x${version.toString(16).padStart(64, '0')}`,
    signatures: new Map(sigs.map((i) => [i, fill(65, 0x10 + i)])),
  }
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cp-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('checkpoint JSON', () => {
  it('round-trips every field; bigints are decimal strings, bytes hex, signatures by participant index', () => {
    const cp = signed(7n)
    const json = checkpointToJson(CHANNEL, cp)
    expect(json.version).toBe('7')
    expect(json.time).toBe('1700000000007')
    expect(Object.keys(json.signatures)).toEqual(['0', '2'])
    expect(json.signatures['2']).toBe(`0x${'12'.repeat(65)}`)
    const back = checkpointFromJson(JSON.parse(JSON.stringify(json)))
    expect(back.channelId).toBe(CHANNEL)
    expect(back.checkpoint).toEqual(cp)
  })

  it('names the bad field of a malformed object', () => {
    const good = checkpointToJson(CHANNEL, signed(1n))
    const bad = (patch: Record<string, unknown>) => () => checkpointFromJson({ ...good, ...patch })
    expect(bad({ format: 'x' })).toThrow(/format/)
    expect(bad({ version: '0' })).toThrow(/version: 0 out of range/)
    expect(bad({ version: 3 })).toThrow(/version: not a decimal string/)
    expect(bad({ time: '-1' })).toThrow(/time/)
    expect(bad({ depositCount: '18446744073709551616' })).toThrow(/depositCount: .* out of range/)
    expect(bad({ stateRoot: '0x1234' })).toThrow(/stateRoot: 2 bytes, expected 32/)
    expect(bad({ leader: `0x${'zz'.repeat(32)}` })).toThrow(/leader: not 0x-hex/)
    expect(bad({ signatures: { a: `0x${'11'.repeat(65)}` } })).toThrow(/participant index/)
    expect(bad({ signatures: { '1': `0x${'11'.repeat(64)}` } })).toThrow(/signatures.1: 64 bytes/)
    expect(bad({ signatures: [] })).toThrow(/signatures: not an object/)
    expect(bad({ extra: 1 })).toThrow(/extra: unknown field/)
    expect(() => checkpointFromJson(null)).toThrow(/not a JSON object/)
  })
})

describe('checkpoint store on disk', () => {
  it('saves atomically (no temp file left), one file per version, and loads them oldest first', async () => {
    await saveCheckpoint(dir, CHANNEL, signed(2n))
    await saveCheckpoint(dir, CHANNEL, signed(1n))
    await saveCheckpoint(dir, OTHER, signed(5n))
    expect((await readdir(dir)).sort()).toEqual(
      [
        checkpointFileName(CHANNEL, 1n),
        checkpointFileName(CHANNEL, 2n),
        checkpointFileName(OTHER, 5n),
      ].sort(),
    )
    const raw = JSON.parse(await readFile(join(dir, checkpointFileName(CHANNEL, 2n)), 'utf8'))
    expect(raw.format).toBe(CHECKPOINT_JSON_FORMAT)
    const loaded = await loadCheckpoints(dir, CHANNEL)
    expect(loaded.map((c) => c.version)).toEqual([1n, 2n])
    expect(loaded[1]).toEqual(signed(2n))
  })

  it('adds up the signatures of the same checkpoint saved twice; another digest replaces it', async () => {
    await saveCheckpoint(dir, CHANNEL, signed(3n, [0]))
    await saveCheckpoint(dir, CHANNEL, signed(3n, [1]))
    const [merged] = await loadCheckpoints(dir, CHANNEL)
    expect([...merged!.signatures.keys()].sort()).toEqual([0, 1])
    await saveCheckpoint(dir, CHANNEL, { ...signed(3n, [2]), digest: `0x${'ee'.repeat(32)}` })
    const [replaced] = await loadCheckpoints(dir, CHANNEL)
    expect([...replaced!.signatures.keys()]).toEqual([2])
  })

  it('skips malformed files with a logged reason, and reads a missing directory as empty', async () => {
    await saveCheckpoint(dir, CHANNEL, signed(1n))
    await writeFile(join(dir, checkpointFileName(CHANNEL, 2n)), '{not json')
    const wrongVersion = checkpointToJson(CHANNEL, signed(4n))
    await writeFile(join(dir, checkpointFileName(CHANNEL, 3n)), JSON.stringify(wrongVersion))
    await writeFile(
      join(dir, checkpointFileName(CHANNEL, 5n)),
      JSON.stringify({ ...checkpointToJson(CHANNEL, signed(5n)), balancesRoot: '0x00' }),
    )
    await writeFile(join(dir, 'notes.json'), '{}')
    await writeFile(join(dir, 'README.txt'), 'ignored silently')
    const log: string[] = []
    const loaded = await loadCheckpoints(dir, CHANNEL, (m) => log.push(m))
    expect(loaded.map((c) => c.version)).toEqual([1n])
    expect(log).toHaveLength(4)
    expect(log.find((l) => l.includes('-v2.json'))).toMatch(/JSON/)
    expect(log.find((l) => l.includes('-v3.json'))).toMatch(/version 4 does not match the file name/)
    expect(log.find((l) => l.includes('-v5.json'))).toMatch(/balancesRoot: 1 bytes, expected 32/)
    expect(log.find((l) => l.includes('notes.json'))).toMatch(/name is not/)
    expect(await loadCheckpoints(join(dir, 'missing'), CHANNEL)).toEqual([])
  })

  it('the reader re-reads only when the directory changed', async () => {
    const log: string[] = []
    const read = createStoreReader(dir, CHANNEL, (m) => log.push(m))
    expect(await read()).toEqual([])
    await writeFile(join(dir, checkpointFileName(CHANNEL, 9n)), 'bad')
    expect(await read()).toEqual([])
    expect(await read()).toEqual([])
    expect(log).toHaveLength(1) // reported once, not once per poll
    await saveCheckpoint(dir, CHANNEL, signed(1n))
    expect((await read()).map((c) => c.version)).toEqual([1n])
    expect(log).toHaveLength(2)
  })
})
