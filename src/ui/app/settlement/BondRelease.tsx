import { formatEther } from 'viem'
import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import { releaseBondOnChain, type SettlementContext, withdrawAll } from '../../../store/settlement.ts'
import type { WalletRun } from '../useWalletAction.tsx'

const timeOf = (unixSeconds: bigint) => new Date(Number(unixSeconds) * 1000).toLocaleString()

/**
 * Releasing this participant's bond once settlement started: locked until the evidence window ends
 * (`bondsUnlockAt`, chain time), then moved to the pull balance and withdrawn in one action.
 */
export function BondRelease({
  ctx,
  bond,
  finalized,
  now,
  bondsUnlockAt,
  run,
  busy,
}: {
  ctx: SettlementContext
  /** this participant's bond on chain, if read */
  bond: { bond: bigint; slashed: boolean } | undefined
  finalized: boolean
  /** chain time of the last read */
  now: bigint
  bondsUnlockAt: bigint
  run: WalletRun
  busy: boolean
}) {
  if (!bond || bond.bond === 0n || bond.slashed) return null
  const locked = !finalized || now < bondsUnlockAt
  return (
    <>
      <div className="row">
        <button
          type="button"
          className="secondary"
          disabled={busy || locked}
          data-testid="release-bond"
          title={
            locked
              ? bondsUnlockAt > 0n
                ? `locked until ${timeOf(bondsUnlockAt)} (chain time): evidence of misbehaviour is accepted until then`
                : 'locked until settlement is finalized'
              : undefined
          }
          onClick={() =>
            run(`Release bond (${formatEther(bond.bond)} ETH)`, async (c, track) => {
              const hash = await releaseBondOnChain(c, ctx)
              track.sent(hash)
              await confirmTransaction(c, { hash })
              for (const h of await withdrawAll(c, ctx, track.sent)) await confirmTransaction(c, { hash: h })
            })
          }
        >
          Release bond
        </button>
      </div>
      {locked && bondsUnlockAt > 0n && (
        <p className="muted small" data-testid="bond-lock">
          Your bond ({formatEther(bond.bond)} ETH) is locked until {timeOf(bondsUnlockAt)} (chain time):
          evidence of misbehaviour is accepted until then.
        </p>
      )}
    </>
  )
}
