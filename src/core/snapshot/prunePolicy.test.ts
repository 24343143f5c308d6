import { describe, expect, it } from 'vitest'
import { DEFAULT_PRUNE_POLICY, parsePrunePolicy, pruneDue } from './prunePolicy.ts'

const open = {
  phase: 'open' as const,
  certified: 3n,
  prunedVersion: 0n,
  prunable: 5_000,
  writing: false,
}

describe('pruneDue', () => {
  it('prunes at a newly certified checkpoint that frees at least minBlocks final blocks', () => {
    expect(pruneDue(open, { everyCheckpoints: 1, minBlocks: 5_000 })).toBe(true)
    expect(pruneDue(open, { everyCheckpoints: 1, minBlocks: 5_001 })).toBe(false)
    expect(pruneDue({ ...open, prunable: 1_999 })).toBe(false)
    expect(pruneDue({ ...open, prunable: 2_000 })).toBe(true)
  })

  it('waits for everyCheckpoints certified checkpoints past the last pruning', () => {
    const policy = { everyCheckpoints: 4, minBlocks: 1 }
    expect(pruneDue({ ...open, prunedVersion: 2n, certified: 5n }, policy)).toBe(false)
    expect(pruneDue({ ...open, prunedVersion: 2n, certified: 6n }, policy)).toBe(true)
    // the checkpoint already pruned at is never pruned at again
    expect(
      pruneDue({ ...open, prunedVersion: 3n, certified: 3n }, { everyCheckpoints: 1, minBlocks: 1 }),
    ).toBe(false)
  })

  it('never without a certified checkpoint, while a base is being written, or outside the open phase', () => {
    expect(pruneDue({ ...open, certified: undefined })).toBe(false)
    expect(pruneDue({ ...open, writing: true })).toBe(false)
    for (const phase of ['unknown', 'disputing', 'finalizable', 'finalized'] as const)
      expect(pruneDue({ ...open, phase })).toBe(false)
  })
})

describe('parsePrunePolicy', () => {
  it('reads positive integers and falls back to the default field by field', () => {
    expect(parsePrunePolicy('{"everyCheckpoints":2,"minBlocks":10}')).toEqual({
      everyCheckpoints: 2,
      minBlocks: 10,
    })
    expect(parsePrunePolicy('{"minBlocks":10}')).toEqual({ ...DEFAULT_PRUNE_POLICY, minBlocks: 10 })
    expect(parsePrunePolicy('{"everyCheckpoints":0,"minBlocks":1.5}')).toEqual(DEFAULT_PRUNE_POLICY)
    expect(parsePrunePolicy('not json')).toEqual(DEFAULT_PRUNE_POLICY)
    expect(parsePrunePolicy(null)).toEqual(DEFAULT_PRUNE_POLICY)
  })
})
