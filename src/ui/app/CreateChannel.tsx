import { useState } from 'react'
import type { Hex } from '../../core/bytes.ts'
import { MAX_DISPUTE_WINDOW, MAX_FEE_BPS, ROLE_NAMES, type Role, validateParams } from '../../core/channel.ts'
import { type ChannelDraft, encodeInvite } from '../../core/invite.ts'
import { defaultQuorum, describeQuorum, isValidQuorum } from '../../core/quorum.ts'
import type { AppConfig } from '../config.ts'
import { parseUnits, wholeNumberError } from '../format.ts'
import { LendingFields } from '../lend/LendingFields.tsx'
import { DEFAULT_LENDING_FIELDS, lendingParamsOf } from '../lend/lendingForm.ts'
import { PerpMarketFields } from '../perps/PerpMarketFields.tsx'
import { DEFAULT_PERP_FIELDS, type PerpFields, perpDraftOf } from '../perps/perpForm.ts'
import { AmmFields, DEFAULT_AMM_FIELDS } from '../pool/AmmFields.tsx'
import { participantAddress } from './participantAddress.ts'
import { roleDescription } from './roleText.ts'

type Row = { address: string; role: Role }

/**
 * The channel form: participants and roles, threshold, dispute window, fees and the market. Produces an invite
 * link; nothing touches the chain until every participant has authorised a session key in the lobby.
 */
export function CreateChannel({
  config,
  me,
  onCreated,
}: {
  config: AppConfig
  me: Hex
  onCreated: (invite: string) => void
}) {
  const [rows, setRows] = useState<Row[]>([
    { address: me, role: 0 },
    { address: '', role: 0 },
  ])
  const [threshold, setThreshold] = useState('')
  const [windowSec, setWindowSec] = useState('600')
  const [makerBps, setMakerBps] = useState('2')
  const [takerBps, setTakerBps] = useState('5')
  const [minStakeEth, setMinStakeEth] = useState('0')
  const [feeRecipient, setFeeRecipient] = useState(0)
  const [base, setBase] = useState(0)
  const [quote, setQuote] = useState(config.tokens.length > 1 ? 1 : 0)
  const [lot, setLot] = useState('0.001')
  const [error, setError] = useState<string | undefined>()
  const [perp, setPerp] = useState<PerpFields>({
    ...DEFAULT_PERP_FIELDS,
    underlying: base,
    collateral: quote,
  })
  const [lend, setLend] = useState(DEFAULT_LENDING_FIELDS)
  const [amm, setAmm] = useState(DEFAULT_AMM_FIELDS)
  const n = rows.length
  const t = threshold === '' ? defaultQuorum(n) : Number(threshold)
  const numberErrors = [
    // the settlement contract's bounds: a channel outside them would be refused at open, after everyone signed
    wholeNumberError('Dispute window', windowSec, { min: 1n, max: MAX_DISPUTE_WINDOW, unit: 's' }),
    wholeNumberError('Maker fee', makerBps, { max: MAX_FEE_BPS, unit: 'bps' }),
    wholeNumberError('Taker fee', takerBps, { max: MAX_FEE_BPS, unit: 'bps' }),
  ].filter((x): x is string => x !== undefined)
  // the lot size, checked as it is typed like the numbers above (it named no field, and only after Create)
  try {
    if (parseUnits(lot, config.tokens[base]!.decimals) <= 0n)
      numberErrors.push('Lot size: must be above zero')
  } catch (e) {
    numberErrors.push(`Lot size: ${e instanceof Error ? e.message : String(e)}`)
  }
  let minStake = 0n
  try {
    minStake = parseUnits(minStakeEth === '' ? '0' : minStakeEth, 18)
  } catch (e) {
    numberErrors.push(`Minimum bond: ${e instanceof Error ? e.message : String(e)}`)
  }
  // the perp market (market 1) is checked against a provisional spot market; its own fields decide the result
  const perpCheck = perp.enabled
    ? perpDraftOf(perp, config.tokens, n, { base, quote, tickSize: 1n, lotSize: 1n })
    : undefined
  const perpErrors = perpCheck && !perpCheck.ok ? perpCheck.errors : []

  const create = () => {
    try {
      if (numberErrors.length > 0) throw new Error(numberErrors[0])
      if (perpErrors.length > 0) throw new Error(perpErrors[0])
      const addresses = rows.map((r, i) => {
        const a = participantAddress(r.address)
        if (!a.ok) throw new Error(`participant ${i + 1}: ${a.reason}`)
        return a.address
      })
      if (new Set(addresses.map((a) => a.toLowerCase())).size !== n)
        throw new Error('a participant is listed twice')
      if (!addresses.some((a) => a.toLowerCase() === me.toLowerCase()))
        throw new Error('you must be a participant')
      if (!isValidQuorum(n, t))
        throw new Error(`quorum must be a whole number above ${n / 2} and at most ${n}`)
      if (base === quote) throw new Error('base and quote must differ')
      const b = config.tokens[base]!
      const q = config.tokens[quote]!
      const lotSize = parseUnits(lot, b.decimals)
      if (lotSize <= 0n) throw new Error('lot size must be above zero')
      // one tick = 0.01 quote per whole base token, or the smallest unit if that is finer than the quote allows
      let tickSize = (10n ** BigInt(q.decimals) * lotSize) / (100n * 10n ** BigInt(b.decimals))
      if (tickSize === 0n) tickSize = 1n
      const nonce = crypto.getRandomValues(new Uint32Array(2))
      const draft: ChannelDraft = {
        chainId: BigInt(config.chain.chainId),
        verifyingContract: config.settlement,
        nonce: (BigInt(nonce[0]!) << 32n) | BigInt(nonce[1]!),
        participants: rows.map((r, i) => ({ address: addresses[i]! as Hex, role: r.role })),
        threshold: t,
        tokens: config.tokens.map((x) => x.address),
        markets: [{ base, quote, tickSize, lotSize }, ...(perpCheck?.ok ? [perpCheck.value.market] : [])],
        params: {
          minStake,
          disputeWindow: BigInt(windowSec),
          maxLeverage: perpCheck?.ok ? perpCheck.value.maxLeverage : 1,
          makerFeeBps: BigInt(makerBps),
          takerFeeBps: BigInt(takerBps),
          feeRecipient: feeRecipient < rows.length ? feeRecipient : 0,
          maxOpenOrders: 1000,
          ...(perpCheck?.ok ? { perps: perpCheck.value.perps } : {}),
          ...(lend.enabled ? { lending: lendingParamsOf(lend, base, quote) } : {}),
          ...(amm.enabled ? { amm: { defaultFeeBps: amm.defaultFeeBps } } : {}),
        },
      }
      validateParams(draft)
      onCreated(encodeInvite({ draft, secret: crypto.getRandomValues(new Uint8Array(32)) }))
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }

  return (
    <form
      className="panel form"
      aria-label="Create channel"
      onSubmit={(e) => {
        e.preventDefault()
        create()
      }}
    >
      <h2>New channel</h2>
      {rows.map((r, i) => (
        // rows have no identity beyond their position while being edited
        // biome-ignore lint/suspicious/noArrayIndexKey: position is the identity of an editable row
        <div className="row" key={i}>
          <label className="field grow">
            <span>Participant {i + 1}</span>
            <input
              name={`participant-${i}`}
              value={r.address}
              placeholder="0x…"
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, address: e.target.value } : x)))}
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select
              value={r.role}
              onChange={(e) =>
                setRows(rows.map((x, j) => (j === i ? { ...x, role: Number(e.target.value) as Role } : x)))
              }
            >
              {ROLE_NAMES.map((name, k) => (
                <option key={name} value={k}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {rows.length > 2 && (
            <button type="button" className="link" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          )}
        </div>
      ))}
      <button type="button" className="link" onClick={() => setRows([...rows, { address: '', role: 0 }])}>
        + Add participant
      </button>
      <ul className="muted small" data-testid="roles-explained" aria-label="Roles">
        {ROLE_NAMES.map((_, k) => (
          <li key={ROLE_NAMES[k]}>{roleDescription(k as Role)}</li>
        ))}
      </ul>
      <div className="row">
        <label className="field">
          <span>Quorum q (of {n})</span>
          <input
            name="threshold"
            inputMode="numeric"
            value={threshold}
            placeholder={String(defaultQuorum(n))}
            onChange={(e) => setThreshold(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Dispute window (s)</span>
          <input name="window" value={windowSec} onChange={(e) => setWindowSec(e.target.value)} />
        </label>
        <label className="field">
          <span>Maker fee (bps)</span>
          <input
            name="maker-fee"
            inputMode="numeric"
            value={makerBps}
            onChange={(e) => setMakerBps(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Fees go to</span>
          <select
            name="fee-recipient"
            value={feeRecipient < rows.length ? feeRecipient : 0}
            onChange={(e) => setFeeRecipient(Number(e.target.value))}
          >
            {rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the recipient is a participant's position
              <option key={i} value={i}>
                Participant {i + 1}
                {r.address ? ` (${r.address.slice(0, 8)}…)` : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Taker fee (bps)</span>
          <input
            name="taker-fee"
            inputMode="numeric"
            value={takerBps}
            onChange={(e) => setTakerBps(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Minimum bond (ETH)</span>
          <input
            name="min-stake"
            inputMode="decimal"
            value={minStakeEth}
            onChange={(e) => setMinStakeEth(e.target.value)}
          />
        </label>
      </div>
      {numberErrors.length > 0 && (
        <p className="error" data-testid="number-errors">
          {numberErrors.join(' · ')}
        </p>
      )}
      <p className="muted" data-testid="fees-explained">
        Every fill pays the maker fee (resting order) and the taker fee (incoming order), in basis points of
        the quote amount (1 bp = 0.01 %), to participant {(feeRecipient < rows.length ? feeRecipient : 0) + 1}
        : the fees stay inside the channel in its balance and are paid out at settlement like any other
        holding.
      </p>
      {minStake > 0n && (
        <p className="muted" data-testid="min-stake-explained">
          Every participant bonds at least {minStakeEth} ETH on chain (Funds panel); the channel's orders,
          transfers, swaps and loans are accepted only once all of them have; deposits, withdrawals and
          cancels are always open. The bond is slashed if its owner signs two conflicting blocks or
          checkpoints.
        </p>
      )}
      <p className="muted" data-testid="quorum-explained">
        {isValidQuorum(n, t)
          ? describeQuorum(n, t)
          : `The quorum must be a whole number above ${n / 2} and at most ${n}.`}
      </p>
      <div className="row">
        <label className="field">
          <span>Base</span>
          <select value={base} onChange={(e) => setBase(Number(e.target.value))}>
            {config.tokens.map((x, k) => (
              <option key={x.address} value={k}>
                {x.symbol}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Quote</span>
          <select value={quote} onChange={(e) => setQuote(Number(e.target.value))}>
            {config.tokens.map((x, k) => (
              <option key={x.address} value={k}>
                {x.symbol}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Lot ({config.tokens[base]?.symbol})</span>
          <input value={lot} onChange={(e) => setLot(e.target.value)} />
        </label>
      </div>
      <PerpMarketFields
        value={perp}
        onChange={setPerp}
        tokens={config.tokens}
        participants={rows.map((r) => r.address)}
        errors={perpErrors}
      />
      <LendingFields value={lend} onChange={setLend} participants={rows.map((r) => r.address)} />
      <AmmFields value={amm} onChange={setAmm} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button
        type="submit"
        // the quorum's problem is said live above (quorum-explained): not repeated by Create
        disabled={numberErrors.length > 0 || perpErrors.length > 0 || !isValidQuorum(n, t)}
      >
        Create invite
      </button>
    </form>
  )
}
