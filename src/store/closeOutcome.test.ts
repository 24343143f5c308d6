import type { Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { closePayoutTable } from './closeOutcome.ts'

const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as Hex

describe('closePayoutTable', () => {
  it('places each paid leaf at its participant and token, whatever the log order or address case', () => {
    const participants = [a(0xa0), a(0xa1), a(0xa2)]
    const tokens = [a(0xb0), a(0xb1)]
    const table = closePayoutTable(
      [
        { participant: a(0xa2), token: a(0xb0), amount: 7n },
        { participant: a(0xa0).toUpperCase().replace('0X', '0x') as Hex, token: a(0xb1), amount: 5n },
        { participant: a(0xa1), token: a(0xb1), amount: 3n },
        // not a channel token: left out
        { participant: a(0xa1), token: a(0xcc), amount: 99n },
      ],
      participants,
      tokens,
    )
    expect(table).toEqual([
      [0n, 5n],
      [0n, 3n],
      [7n, 0n],
    ])
  })
})
