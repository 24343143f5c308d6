import { useState } from 'react'
import { formatUnits } from '../format.ts'
import { useTrading } from '../trading/context.ts'
import { LiquidityPanel } from './LiquidityPanel.tsx'
import { amountText, pct, poolPrice } from './poolFormat.ts'
import { SwapPanel } from './SwapPanel.tsx'
import { useAmm } from './usePool.ts'
import { VotePanel } from './VotePanel.tsx'

/**
 * The AMM: one constant-product pool per spot market. Shows the pool (reserves, price, fee, your share, pending vs
 * final), a swap form, add / remove liquidity and the fee vote. Renders nothing in a channel without pools.
 */
export function PoolScreen() {
  const amm = useAmm()
  const { tokens } = useTrading()
  const [market, setMarket] = useState<number | undefined>()
  if (!amm || amm.pools.length === 0) return null
  const view = amm.pools.find((p) => p.market === market) ?? amm.pools[0]!
  const final = amm.finalPools.find((p) => p.market === view.market)
  const base = tokens[view.base]!
  const quote = tokens[view.quote]!
  const price = poolPrice(view.reserveBase, view.reserveQuote, base)
  const pending =
    final !== undefined && (final.reserveBase !== view.reserveBase || final.myShares !== view.myShares)
  const shareBps = view.totalShares === 0n ? 0n : (view.myShares * 10_000n) / view.totalShares
  return (
    <section className="panel pool" aria-label="Pool" data-testid="pool-screen">
      <div className="panel-head">
        Pool{' '}
        {amm.pools.length > 1 && (
          <select
            aria-label="Pool market"
            value={view.market}
            onChange={(e) => setMarket(Number(e.target.value))}
          >
            {amm.pools.map((p) => (
              <option key={p.market} value={p.market}>
                {tokens[p.base]!.symbol}/{tokens[p.quote]!.symbol}
              </option>
            ))}
          </select>
        )}
      </div>
      <dl className="summary" data-testid="pool-stats">
        <dt>Reserves</dt>
        <dd data-testid="pool-reserves" className={pending ? 'pending' : undefined}>
          {view.totalShares === 0n
            ? 'empty: the first deposit sets the price'
            : `${amountText(view.reserveBase, base)} + ${amountText(view.reserveQuote, quote)}`}
        </dd>
        <dt>Price</dt>
        <dd>{price === undefined ? '—' : `${amountText(price, quote)} per ${base.symbol}`}</dd>
        <dt>Fee (LP-voted)</dt>
        <dd>{pct(view.feeBps)}</dd>
        <dt>Your liquidity</dt>
        <dd data-testid="pool-mine">
          {view.myShares === 0n
            ? 'none'
            : `${formatUnits(view.myShares, 0)} shares (${pct(shareBps)}) ≈ ${amountText(view.myBase, base)} + ${amountText(view.myQuote, quote)}`}
        </dd>
        <dt>State</dt>
        <dd className={pending ? 'pending' : undefined}>
          {pending ? 'changes pending (not final yet)' : 'final'}
        </dd>
      </dl>
      <p className="muted small">
        Market orders fill only against the order book; a swap trades against this pool. The swap form shows
        both prices so you can pick the better venue.
      </p>
      <div className="panels-row">
        <SwapPanel amm={amm} view={view} />
        <LiquidityPanel key={view.market} amm={amm} view={view} />
        <VotePanel view={view} final={final} />
      </div>
    </section>
  )
}
