import { useState } from 'react'
import { OpTag } from '../../core/ops.ts'
import type { PoolView } from '../../store/ammSnapshot.ts'
import { formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { pct } from './poolFormat.ts'

/**
 * The pool's fee and how it was voted: the share-weighted median of the LPs' votes, so no LP with less than half of
 * the shares can move it past the others' median. An LP changes its vote here; its weight is its shares.
 */
export function VotePanel({ view, final }: { view: PoolView; final: PoolView | undefined }) {
  const { submit, readOnly } = useTrading()
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const vote = (tierBps: bigint) => {
    const r = submit({ tag: OpTag.AmmVote, market: view.market, voteBps: Number(tierBps) })
    setMessage(outcomeMessage(r, `Voted ${pct(tierBps)}`))
  }
  return (
    <section className="panel form" aria-label="Fee vote">
      <h3>Fee vote</h3>
      <p>
        Pool fee: <strong data-testid="pool-fee">{pct(view.feeBps)}</strong>
        {final && final.feeBps !== view.feeBps && (
          <span className="muted small"> (final: {pct(final.feeBps)})</span>
        )}
      </p>
      <p className="muted small" data-testid="my-vote">
        {view.myVoteBps === undefined
          ? 'You hold no shares of this pool: add liquidity to vote.'
          : `Your vote: ${pct(view.myVoteBps)}, weighted by your ${formatUnits(view.myShares, 0)} shares.`}
      </p>
      <table className="grid" aria-label="Vote distribution">
        <thead>
          <tr>
            <th>Tier</th>
            <th>Share of votes</th>
            <th>LPs</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {view.votes.map((v) => (
            <tr key={v.tierBps.toString()} data-testid={`vote-tier-${v.tierBps}`}>
              <td>
                {pct(v.tierBps)}
                {v.tierBps === view.feeBps ? ' ← fee' : ''}
              </td>
              <td>{pct(v.weightBps)}</td>
              <td>{v.voters}</td>
              <td>
                <button
                  type="button"
                  className="secondary small"
                  disabled={readOnly || view.myVoteBps === undefined || view.myVoteBps === v.tierBps}
                  onClick={() => vote(v.tierBps)}
                >
                  Vote
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {message && <SubmitStatus message={message} testId="vote-result" okClass="muted" />}
    </section>
  )
}
