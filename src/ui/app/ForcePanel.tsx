import { useEffect, useRef, useState } from 'react'
import { useConnection } from 'wagmi'
import { readForcedRecords } from '../../chain/readers/readForcedRecords.ts'
import { toHex } from '../../core/bytes.ts'
import { decodeForcedOp } from '../../core/opCodec.ts'
import { type Op, OpTag } from '../../core/ops.ts'
import { REJECT_NAMES, Reject } from '../../core/reasons.ts'
import {
  type ForceableOp,
  forcedPreview,
  forcedStatus,
  forceOnChain,
  forceSubmitError,
  waitingOwnBlocks,
} from '../../store/forceOnChain.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import { AmountError, formatUnits, parseUnits } from '../format.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { useChainWatch } from './useChainWatch.ts'
import { ActionStatus, describeError, useWalletAction } from './useWalletAction.tsx'

/** This participant's forced records as the contract holds them (index and op), read again on each new block. */
function useOwnForcedRecords(runtime: ChannelRuntime): { index: bigint; op: Op | undefined }[] {
  const { client, head } = useChainWatch()
  const [records, setRecords] = useState<{ index: bigint; op: Op | undefined }[]>([])
  const live = runtime.live!
  const me = runtime.meIndex
  useEffect(() => {
    if (!client || head === undefined) return
    let stop = false
    readForcedRecords(client, {
      address: live.channel.config.verifyingContract,
      channelId: toHex(live.channel.channelId),
    }).then(
      (all) => {
        if (stop) return
        setRecords(
          all
            .filter((r) => r.participant === me)
            .map((r) => {
              let op: Op | undefined
              try {
                op = decodeForcedOp(r.op)
              } catch {
                op = undefined
              }
              return { index: r.index, op }
            }),
        )
      },
      () => {},
    )
    return () => {
      stop = true
    }
  }, [client, head, live.channel, me])
  return records
}

/** After this long without finality, the panel suggests forcing (blocks are normally final within seconds). */
const SUGGEST_AFTER_MS = 30_000

/** This participant's blocks with ops that are not final yet and have waited SUGGEST_AFTER_MS, re-read each second. */
function useStuckBlocks(me: number) {
  const { store } = useTrading()
  // re-render when this participant's waiting blocks change, not with every block of the channel
  const waiting = useSnapshot((s) => {
    let key = ''
    for (const b of s.blocks) if (b.author === me && !b.final && b.ops.length > 0) key += b.id
    return key
  })
  const blocks = store.getState().snapshot.blocks
  const seen = useRef(new Map<`0x${string}`, number>())
  const [now, setNow] = useState(() => Date.now())
  // the clock ticks only while some block of ours waits: with none, nothing can be stuck, and the panel does not
  // render every second for nothing
  const anyWaiting = waiting !== ''
  useEffect(() => {
    if (!anyWaiting) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [anyWaiting])
  return waitingOwnBlocks(blocks, me, seen.current, now).filter((b) => b.waitedMs >= SUGGEST_AFTER_MS)
}

/**
 * Forced inclusion for the participant whose blocks the others ignore: compose a transfer or a withdrawal and post
 * it on chain (one wallet transaction). The contract records it with an index; every replica must attest and
 * include it, and no checkpoint leaving it out can be proposed after the force-inclusion delay. Each of the
 * participant's records is listed until the replicas fold it (final).
 */
export function ForcePanel({ runtime }: { runtime: ChannelRuntime }) {
  const { tokens, names, readOnly, phase } = useTrading()
  const { chainId: walletChain } = useConnection()
  const { run, state, busy } = useWalletAction()
  const [kind, setKind] = useState<typeof OpTag.Transfer | typeof OpTag.Withdraw>(OpTag.Transfer)
  const [token, setToken] = useState(0)
  const [amount, setAmount] = useState('')
  const [to, setTo] = useState(runtime.meIndex === 0 ? 1 : 0)
  const live = runtime.live!
  const { config } = live.channel
  const records = useOwnForcedRecords(runtime)
  const stuck = useStuckBlocks(runtime.meIndex)
  // re-render when the replica folds something while a record waits (the records' status comes from it)
  const following = records.length > 0
  useSnapshot((s) => (following ? s.finalCount : 0))
  useSnapshot((s) => (following ? s.stateRoot : undefined))
  const t = tokens[token]!
  let units: bigint | undefined
  let error: string | undefined
  try {
    if (amount !== '') units = parseUnits(amount, t.decimals)
    if (units === 0n) error = 'amount must be above zero'
  } catch (e) {
    error = e instanceof AmountError ? e.message : String(e)
  }
  const op: ForceableOp | undefined =
    units === undefined || error
      ? undefined
      : kind === OpTag.Transfer
        ? { tag: OpTag.Transfer, to, token, amount: units }
        : { tag: OpTag.Withdraw, token, amount: units }
  const verdict = op ? forcedPreview(live.replica.state, runtime.meIndex, op) : undefined
  const wrongChain = walletChain !== undefined && BigInt(walletChain) !== config.chainId
  // the contract records forced ops only while the channel is open (ChannelSettlementChannelNotOpen)
  const closed = phase !== 'open' && phase !== 'unknown'
  const delay = config.params.disputeWindow < 3600n ? config.params.disputeWindow : 3600n
  const opText = (o: Op | undefined) => {
    if (!o) return 'an op the channel cannot decode (counted, no effect)'
    if (o.tag !== OpTag.Transfer && o.tag !== OpTag.Withdraw) return 'an op'
    const tk = tokens[o.token]
    const value = tk ? `${formatUnits(o.amount, tk.decimals, tk.decimals)} ${tk.symbol}` : o.amount.toString()
    return o.tag === OpTag.Transfer
      ? `transfer of ${value} to ${names[o.to] ?? `#${o.to}`}`
      : `withdrawal of ${value}`
  }
  const force = () => {
    if (!op) return
    const what = opText(op)
    void run(`Force ${what}`, async (c, track) => {
      track.progress('confirm the transaction in your wallet')
      try {
        const { index } = await forceOnChain(
          c,
          {
            address: config.verifyingContract,
            channelId: toHex(live.channel.channelId),
            chainId: config.chainId,
          },
          op,
          (hash) => {
            track.sent(hash)
            track.progress('waiting for the chain to record it')
          },
        )
        track.doneText(`recorded on chain as forced op #${index}; the replicas fold it next`)
        setAmount('')
      } catch (e) {
        const words = forceSubmitError(e)
        throw words ? new Error(words) : e
      }
    }).catch((e: unknown) => console.warn(describeError(e)))
  }
  const statusText = (s: ReturnType<typeof forcedStatus>) =>
    s === 'final'
      ? 'final'
      : s === 'included'
        ? 'included (pending)'
        : 'recorded on chain, waiting for the replicas to attest it'
  return (
    <section className="panel form" aria-label="Force on chain">
      <h3>Force on chain</h3>
      <p className="muted small">
        If the other participants ignore your blocks, post a transfer or a withdrawal on chain. The contract
        records it; every replica must include it, and after {delay.toString()} s no checkpoint that leaves it
        out can be proposed. One wallet transaction (gas); at most 16 per participant per {delay.toString()}{' '}
        s.
      </p>
      {stuck.length > 0 && (
        <p className="warning" data-testid="force-suggestion">
          {stuck.length === 1 ? 'Your block' : 'Your blocks'} {stuck.map((b) => `#${b.seq}`).join(', ')} (
          {stuck.reduce((n, b) => n + b.ops, 0)} ops) not final after {Math.floor(stuck[0]!.waitedMs / 1000)}{' '}
          s. If the others ignore your blocks, force what matters here — compose it anew and do not resend it
          in the channel: should the block be included later as well, its ops apply twice.
        </p>
      )}
      <div className="row">
        <label className="field">
          <span>Op</span>
          <select
            name="force-kind"
            value={kind}
            onChange={(e) => setKind(Number(e.target.value) as typeof OpTag.Transfer | typeof OpTag.Withdraw)}
          >
            <option value={OpTag.Transfer}>Transfer</option>
            <option value={OpTag.Withdraw}>Withdrawal</option>
          </select>
        </label>
        <label className="field">
          <span>Token</span>
          <select name="force-token" value={token} onChange={(e) => setToken(Number(e.target.value))}>
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
            name="force-amount"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
          />
        </label>
        {kind === OpTag.Transfer && (
          <label className="field">
            <span>To</span>
            <select name="force-to" value={to} onChange={(e) => setTo(Number(e.target.value))}>
              {names.map((n, i) =>
                i === runtime.meIndex ? null : (
                  <option key={n} value={i}>
                    {n}
                  </option>
                ),
              )}
            </select>
          </label>
        )}
        <button
          type="button"
          disabled={busy || readOnly || closed || !op || verdict !== Reject.None || wrongChain}
          title={readOnly ? 'the other tab of this channel posts forced ops' : undefined}
          onClick={force}
        >
          Force on chain
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {closed && (
        <p className="muted" data-testid="force-closed">
          The channel is no longer open on chain: forced ops are only recorded while it is.
        </p>
      )}
      {verdict !== undefined && verdict !== Reject.None && (
        <p className="error" data-testid="force-refusal">
          The channel would refuse this op ({REJECT_NAMES[verdict]}): it would be recorded with no effect.
        </p>
      )}
      {wrongChain && (
        <p className="error" data-testid="force-wrong-chain">
          Your wallet is on chain {walletChain}; the channel is on chain {config.chainId.toString()}. Switch
          networks first.
        </p>
      )}
      <ActionStatus state={state} />
      {records.length > 0 && (
        <ul aria-label="Your forced ops">
          {records.map((r) => {
            const s = forcedStatus(r.index, live.replica.state, live.replica.finalState())
            return (
              <li key={r.index.toString()} data-testid="forced-record">
                Forced op #{r.index.toString()}: {opText(r.op)} ·{' '}
                <span className={s === 'final' ? 'badge final' : 'badge pending'}>{statusText(s)}</span>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
