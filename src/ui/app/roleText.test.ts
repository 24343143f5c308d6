import { describe, expect, it } from 'vitest'
import { Role } from '../../core/channel.ts'
import { roleDescription } from './roleText.ts'

describe('roles in words', () => {
  it('follows the permission table: an observer cannot trade, a liquidator may liquidate, a trader may not', () => {
    expect(roleDescription(Role.Observer)).toBe('Observer: only watches and co-signs checkpoints')
    expect(roleDescription(Role.Trader)).toMatch(
      /^Trader: may trade, transfer, deposit and withdraw, lock funds;/,
    )
    expect(roleDescription(Role.Trader)).not.toMatch(/liquidate/)
    expect(roleDescription(Role.Liquidator)).toMatch(/liquidate unhealthy positions/)
  })
})
