import { describe, expect, it } from 'vitest'
import { type Op, OpTag } from '../core/ops.ts'
import { stakeAttestations, stakeRefusal } from './stake.ts'

const source = (staked: boolean[], mine: Op[] = [], batch: Op[] = [], required = true) => ({
  state: { stake: { required, staked: (p: number) => staked[p] === true } },
  order: [{ author: 0, block: { ops: mine } }],
  batchedOps: () => batch,
})

describe('stake attestations (issue #12, minStake)', () => {
  it('attests every bond at least minStake that the fold does not accept yet, once', () => {
    const ops = stakeAttestations(source([false, false, true]), 0, [10n, 9n, 50n], 10n)
    expect(ops).toEqual([{ tag: OpTag.StakeAttest, participant: 0 }])
    const again = stakeAttestations(
      source(
        [false, false, false],
        [{ tag: OpTag.StakeAttest, participant: 0 }],
        [{ tag: OpTag.StakeAttest, participant: 2 }],
      ),
      0,
      [10n, 10n, 10n],
      10n,
    )
    expect(again).toEqual([{ tag: OpTag.StakeAttest, participant: 1 }])
  })

  it('attests nothing without a minStake', () => {
    expect(stakeAttestations(source([false], [], [], false), 0, [10n], 0n)).toEqual([])
  })

  it('says why orders are refused', () => {
    expect(stakeRefusal(true, 10n, String)).toBeUndefined()
    expect(stakeRefusal(false, 10n ** 17n, () => '0.1')).toMatch(/bond at least 0\.1 ETH first/)
  })
})
