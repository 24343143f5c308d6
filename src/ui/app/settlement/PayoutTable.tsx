import type { Payouts } from '../../../store/settlementPlan.ts'
import { formatUnits, type TokenInfo } from '../../format.ts'

/** What each participant receives (or will receive) from one checkpoint, per token. */
export function PayoutTable({
  title,
  payouts,
  names,
  tokens,
  me,
}: {
  title: string
  payouts: Payouts
  names: string[]
  tokens: TokenInfo[]
  me: number
}) {
  return (
    <div data-testid="payouts">
      <p className="muted small">{title}</p>
      <table className="payouts">
        <thead>
          <tr>
            <th>participant</th>
            {tokens.map((t) => (
              <th key={t.address}>{t.symbol}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {payouts.map((row, p) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: participants are fixed for the channel's life
            <tr key={p} data-testid={`payout-${p}`}>
              <td>
                {names[p]}
                {p === me && names[p] !== 'you' ? ' (you)' : ''}
              </td>
              {row.map((v, k) => (
                <td key={tokens[k]?.address ?? k}>{formatUnits(v, tokens[k]?.decimals ?? 18, 6)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
