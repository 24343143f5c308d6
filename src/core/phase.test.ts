import { describe, expect, it } from 'vitest'
import { OpTag } from './ops.ts'
import { opPermission, phaseNotice, type SettlementPhase } from './phase.ts'

const ALL = Object.values(OpTag)
const allowed = (phase: SettlementPhase) => ALL.filter((t) => opPermission(phase, t).allowed)

describe('opPermission', () => {
  it('lets everything through while the channel is open (or not read yet)', () => {
    expect(allowed('open')).toEqual(ALL)
    expect(allowed('unknown')).toEqual(ALL)
    expect(phaseNotice('open')).toBeUndefined()
  })

  it('refuses orders, transfers, deposits, withdrawals and locks during a dispute, with the reason', () => {
    for (const phase of ['disputing', 'finalizable'] as const) {
      for (const tag of [OpTag.Place, OpTag.Transfer, OpTag.Deposit, OpTag.Withdraw, OpTag.Lock]) {
        const p = opPermission(phase, tag)
        expect(p.allowed).toBe(false)
        expect(!p.allowed && p.reason).toMatch(/settling on chain/)
      }
      // releasing funds and checkpointing (a newer checkpoint is how a proposal is challenged) still go, and so do
      // attestations of forced records (recorded before the proposal; the newer checkpoint must include them), and
      // key rotations (a key that leaks during a dispute must still be replaceable), and close signatures (the
      // contract takes a cooperative close while a proposal is pending, at its version or above)
      expect(allowed(phase).sort()).toEqual(
        [
          OpTag.Cancel,
          OpTag.Unlock,
          OpTag.Checkpoint,
          OpTag.CheckpointRequest,
          OpTag.Close,
          OpTag.ForcedAttest,
          OpTag.RotateKey,
        ].sort(),
      )
      // perp ops move or value funds: refused too
      for (const tag of [
        OpTag.PerpPlace,
        OpTag.MarginDeposit,
        OpTag.MarginWithdraw,
        OpTag.Liquidate,
        OpTag.OraclePrice,
      ])
        expect(opPermission(phase, tag).allowed).toBe(false)
      expect(phaseNotice(phase)).toMatch(/settling/)
    }
  })

  it('refuses everything once finalized', () => {
    expect(allowed('finalized')).toEqual([])
    const p = opPermission('finalized', OpTag.Place)
    expect(!p.allowed && p.reason).toMatch(/finalized on chain/)
    expect(phaseNotice('finalized')).toMatch(/finalized/)
  })
})
