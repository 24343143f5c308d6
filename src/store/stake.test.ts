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

  it('says the channel waits for bonds, and whose, until every participant is bonded', () => {
    const names = ['you', '0xaaaa…0001', '0xbbbb…0002']
    const wait = (waiting: number[]) =>
      stakeRefusal({ waiting, me: 0, minStake: 10n ** 18n, names, formatEth: () => '1' })
    expect(wait([])).toBeUndefined()
    expect(wait([2])).toBe(
      'Trading opens when every participant has bonded 1 ETH: waiting for P2 (0xbbbb…0002)',
    )
    // when "you" are among them, the message says how to bond
    const mine = wait([0, 1, 2])!
    expect(mine).toMatch(
      /^Trading opens when every participant has bonded 1 ETH: waiting for you \(P0\), P1 \(0xaaaa…0001\) and P2 \(0xbbbb…0002\); bond at least 1 ETH in the Funds panel/,
    )
    expect(wait([1])).not.toMatch(/Funds panel/)
  })
})
