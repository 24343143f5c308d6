import { confirmTransaction } from '../../../chain/actions/confirmTransaction.ts'
import { refundOnChain, type SettlementContext, withdrawAll } from '../../../store/settlement.ts'
import type { DepositRecordView } from '../../../store/settlementPlan.ts'
import { formatUnits, type TokenInfo } from '../../format.ts'
import type { WalletRun } from '../useWalletAction.tsx'

/**
 * After finalization: the deposit records the final checkpoint does not credit, each refundable to its depositor
 * by anyone (the depositor's own refund is withdrawn to its wallet in the same action).
 */
export function Refunds({
  refunds,
  names,
  tokens,
  me,
  ctx,
  run,
  busy,
}: {
  refunds: readonly DepositRecordView[]
  names: readonly string[]
  tokens: readonly TokenInfo[]
  me: number
  ctx: SettlementContext
  run: WalletRun
  busy: boolean
}) {
  return (
    <div data-testid="refunds">
      <p className="muted small">
        Deposits the final checkpoint does not credit (refunded to their depositor):
      </p>
      {refunds.map((r) => (
        <div key={r.index.toString()} className="row" data-testid={`refund-${r.index}`}>
          <span>
            #{r.index.toString()} · {names[r.participant]} ·{' '}
            {formatUnits(r.amount, tokens[r.token]?.decimals ?? 18, 6)} {tokens[r.token]?.symbol}
          </span>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() =>
              run(`Refund deposit #${r.index}`, async (c, track) => {
                const hash = await refundOnChain(c, ctx, r.index)
                track.sent(hash)
                await confirmTransaction(c, { hash })
                if (r.participant === me)
                  for (const h of await withdrawAll(c, ctx, track.sent))
                    await confirmTransaction(c, { hash: h })
              })
            }
          >
            Refund
          </button>
        </div>
      ))}
    </div>
  )
}
