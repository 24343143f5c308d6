import { useEffect, useState } from 'react'
import { formatEther, parseEther } from 'viem'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import { getParticipantInfo } from '../../chain/readers/getParticipantInfo.ts'
import { toHex } from '../../core/bytes.ts'
import { OpTag } from '../../core/ops.ts'
import { opPermission } from '../../core/phase.ts'
import { depositInSteps, depositRefusal, shareOf, walletBalance } from '../../store/deposit.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import { bondOnChain } from '../../store/settlement.ts'
import { stakeRefusal } from '../../store/stake.ts'
import { transferRefusal } from '../../store/transferRefusal.ts'
import { AmountError, formatUnits, parseUnits } from '../format.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { outcomeMessage, type SubmitMessage, SubmitStatus } from '../trading/SubmitStatus.tsx'
import { useChainWatch } from './useChainWatch.ts'
import { ActionStatus, useWalletAction } from './useWalletAction.tsx'

/** The connected wallet's balance of `token`, read again on each new block (undefined until read). */
function useWalletBalance(token: `0x${string}`, owner: `0x${string}`): bigint | undefined {
  const { client, head } = useChainWatch()
  const [balance, setBalance] = useState<{ token: string; value: bigint } | undefined>()
  useEffect(() => {
    if (!client || head === undefined) return
    let stop = false
    walletBalance(client, token, owner).then(
      // the same balance keeps its object: the panel renders again only when it changed, not on every head
      (value) => !stop && setBalance((b) => (b?.token === token && b.value === value ? b : { token, value })),
      () => {},
    )
    return () => {
      stop = true
    }
  }, [client, head, token, owner])
  return balance?.token === token ? balance.value : undefined
}

/** The connected participant's bond in the channel as the contract holds it, read again on each new block. */
function useOwnBond(runtime: ChannelRuntime): { bond: bigint; slashed: boolean } | undefined {
  const { client, head } = useChainWatch()
  const [info, setInfo] = useState<{ bond: bigint; slashed: boolean } | undefined>()
  const live = runtime.live!
  useEffect(() => {
    if (!client || head === undefined) return
    let stop = false
    getParticipantInfo(client, {
      address: live.channel.config.verifyingContract,
      channelId: toHex(live.channel.channelId),
      participant: runtime.p.me,
    }).then(
      (p) =>
        !stop &&
        setInfo((i) =>
          i?.bond === p.bond && i.slashed === p.slashed ? i : { bond: p.bond, slashed: p.slashed },
        ),
      () => {},
    )
    return () => {
      stop = true
    }
  }, [client, head, live.channel, runtime.p.me])
  return info
}

/**
 * Deposits on chain (approve + deposit; the channel credits it once the contract's record is read back),
 * in-channel transfers to another participant, and the ETH bond that backs this participant's signature (the
 * contract shares it out if it ever signs two blocks at one seq).
 */
export function FundsPanel({ runtime }: { runtime: ChannelRuntime }) {
  const { tokens, names, submit, readOnly, phase } = useTrading()
  const canDeposit = opPermission(phase, OpTag.Deposit)
  const canTransfer = opPermission(phase, OpTag.Transfer)
  const { run, state, busy } = useWalletAction()
  const [token, setToken] = useState(0)
  const [amount, setAmount] = useState('')
  const [to, setTo] = useState(runtime.meIndex === 0 ? 1 : 0)
  const [message, setMessage] = useState<SubmitMessage | undefined>()
  const [bondAmount, setBondAmount] = useState('')
  const live = runtime.live!
  const own = useOwnBond(runtime)
  const t = tokens[token]!
  const wallet = useWalletBalance(t.address, runtime.p.me)
  const inChannel = useSnapshot((s) => s.balances).find((b) => b.token === token)
  // minStake (issue #12): transfers wait with trading until every participant is bonded; bonding stays open
  const waitingForBonds = useSnapshot((s) => s.waitingForBonds)
  const bondWait = stakeRefusal({
    waiting: waitingForBonds,
    me: runtime.meIndex,
    minStake: live.channel.config.params.minStake,
    names,
    formatEth: formatEther,
  })
  let bondWei: bigint | undefined
  let bondError: string | undefined
  try {
    if (bondAmount !== '') bondWei = parseEther(bondAmount)
    if (bondWei !== undefined && bondWei <= 0n) bondError = 'bond must be above zero'
  } catch {
    bondError = 'not an ETH amount'
  }
  let units: bigint | undefined
  let error: string | undefined
  try {
    if (amount !== '') units = parseUnits(amount, t.decimals)
    if (units === 0n) error = 'amount must be above zero'
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  const fmt = (v: bigint) => `${formatUnits(v, t.decimals, 6)} ${t.symbol}`
  const depositError = units === undefined ? undefined : depositRefusal(units, wallet, fmt)
  const transferError = units === undefined ? undefined : transferRefusal(units, inChannel?.available, fmt)
  const setShare = (percent: number) => {
    if (wallet === undefined) return
    setAmount(formatUnits(shareOf(wallet, percent), t.decimals).replace(/,/g, ''))
  }
  const deposit = () =>
    run(`Deposit ${fmt(units!)}`, async (c, track) => {
      await depositInSteps(
        c,
        {
          address: live.channel.config.verifyingContract,
          channelId: toHex(live.channel.channelId),
          token: t.address,
          amount: units!,
        },
        {
          step: (s) =>
            track.progress(
              `step ${s.step} of ${s.of}: ${s.what === 'approve' ? `approve ${t.symbol}` : 'deposit'}, confirm in your wallet`,
            ),
          sent: track.sent,
        },
      )
      setAmount('')
    })
  const bond = () =>
    run(`Bond ${bondAmount} ETH`, async (c) => {
      await confirmTransaction(c, { hash: await bondOnChain(c, live.settlement, bondWei!) })
      setBondAmount('')
    })
  const transfer = () => {
    if (units === undefined) return
    const r = submit({ tag: OpTag.Transfer, to, token, amount: units })
    // a submitted transfer clears the amount, as an order clears its form: a second click of a double-click finds
    // the button disabled instead of sending the amount again
    if (r.ok && r.result === 0) setAmount('')
    setMessage(outcomeMessage(r, `Sent ${amount} ${t.symbol} to ${names[to]}`))
  }
  return (
    <section className="panel form" aria-label="Funds">
      <h3>Funds</h3>
      <div className="row">
        <label className="field">
          <span>Token</span>
          <select value={token} onChange={(e) => setToken(Number(e.target.value))}>
            {tokens.map((x, i) => (
              <option key={x.address} value={i}>
                {x.symbol}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Amount</span>
          <input
            name="fund-amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </label>
        <fieldset className="shortcuts" aria-label="Share of wallet balance">
          {[25, 50, 75, 100].map((pc) => (
            <button
              key={pc}
              type="button"
              className="secondary small"
              disabled={wallet === undefined}
              onClick={() => setShare(pc)}
            >
              {pc === 100 ? 'Max' : `${pc}%`}
            </button>
          ))}
        </fieldset>
      </div>
      <p className="muted small" data-testid="fund-balances">
        Wallet: {wallet === undefined ? '…' : fmt(wallet)} · In channel:{' '}
        {inChannel ? `${fmt(inChannel.available)} available` : fmt(0n)}
        {inChannel && inChannel.locked > 0n ? `, ${fmt(inChannel.locked)} in orders` : ''}
      </p>
      {error && <p className="error">{error}</p>}
      {!error && depositError && (
        <p className="error" data-testid="deposit-refused">
          {depositError}
        </p>
      )}
      {!error && transferError && (
        // one amount serves deposit and transfer: an amount fine to deposit is not an error for being more than the
        // channel holds, so the transfer's limit is a note (its button is disabled), red only when nothing fits
        <p className={depositError ? 'error' : 'muted'} data-testid="transfer-refused">
          Transfer: {transferError}
        </p>
      )}
      {!canDeposit.allowed && (
        <p className="muted" data-testid="funds-closed">
          {canDeposit.reason}
        </p>
      )}
      <div className="row">
        <button
          type="button"
          disabled={busy || units === undefined || !!error || !!depositError || !canDeposit.allowed}
          title={canDeposit.allowed ? undefined : canDeposit.reason}
          onClick={deposit}
        >
          Deposit on chain
        </button>
        <label className="field">
          <span>To</span>
          <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
            {names.map((n, i) =>
              i === runtime.meIndex ? null : (
                <option key={n} value={i}>
                  {n}
                </option>
              ),
            )}
          </select>
        </label>
        <button
          type="button"
          disabled={
            readOnly ||
            units === undefined ||
            !!error ||
            !!transferError ||
            !canTransfer.allowed ||
            !!bondWait
          }
          title={
            readOnly
              ? 'the other tab of this channel signs transfers'
              : !canTransfer.allowed
                ? canTransfer.reason
                : bondWait
          }
          onClick={transfer}
        >
          Transfer in channel
        </button>
      </div>
      <div className="row">
        <label className="field">
          <span>Bond (ETH)</span>
          <input
            name="bond-amount"
            inputMode="decimal"
            value={bondAmount}
            onChange={(e) => setBondAmount(e.target.value)}
          />
        </label>
        <button
          type="button"
          disabled={busy || bondWei === undefined || !!bondError || own?.slashed}
          onClick={bond}
        >
          Bond on chain
        </button>
        <span className="muted" data-testid="own-bond">
          {own === undefined
            ? 'Bond: …'
            : own.slashed
              ? 'Your bond was slashed'
              : `Your bond: ${formatEther(own.bond)} ETH`}
        </span>
      </div>
      {bondWait && (
        <p className="muted" data-testid="bond-waiting">
          {bondWait}
        </p>
      )}
      {bondError && <p className="error">{bondError}</p>}
      <ActionStatus state={state} />
      {message && <SubmitStatus message={message} okClass="muted" />}
    </section>
  )
}
