import { useEffect, useRef, useState } from 'react'
import { formatEther, type Hex } from 'viem'
import { readContract } from 'viem/actions'
import { usePublicClient } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import { channelSettlementAbi } from '../../chain/generated/abis.ts'
import { getChannelInfo } from '../../chain/readers/getChannelInfo.ts'
import { type GetDisputeStatusReturnType, getDisputeStatus } from '../../chain/readers/getDisputeStatus.ts'
import { getParticipantInfo } from '../../chain/readers/getParticipantInfo.ts'
import { readDepositRecords } from '../../chain/readers/readDepositRecords.ts'
import type { ChannelStatus, ReadClient, WriteClient } from '../../chain/types.ts'
import type { ChainView as TowerChainView } from '../../chain/watchtower/decide.ts'
import { toHex } from '../../core/bytes.ts'
import type { Equivocation } from '../../core/replica.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import {
  AlreadyClaimedError,
  claimAndWithdrawAll,
  escapeOnChain,
  exitAlone,
  finalizeOnChain,
  findCheckpoint,
  proposable,
  proposeOnChain,
  provableConflicts,
  refundOnChain,
  releaseBondOnChain,
  requestCheckpoint,
  slashConflictOnChain,
  slashOnChain,
  withdrawAll,
} from '../../store/settlement.ts'
import {
  type DepositRecordView,
  escapeAfterMs,
  escapeDue,
  type Payouts,
  payoutsOf,
  refundable,
} from '../../store/settlementPlan.ts'
import { type TowerAttempt, type TowerStep, towerStep, towerText } from '../../store/watchtower.ts'
import { ChainClock, liveDispute } from '../chainClock.ts'
import { formatUnits, type TokenInfo } from '../format.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { ActionStatus, describeError, TxHash, useWalletAction } from './useWalletAction.tsx'

type ChainView = {
  status: GetDisputeStatusReturnType
  /** balances root of the pending or final checkpoint on chain */
  balancesRoot: Hex
  /** the final (or pending) checkpoint's deposit count: records at or above it are refundable after finalization */
  creditedDeposits: bigint
  disputeWindow: bigint
  /** per watched participant index (offenders, and this participant): its bond and whether it was slashed */
  bonds: Map<number, { bond: bigint; slashed: boolean }>
  /** after finalization: deposit records the final checkpoint does not credit and nobody refunded yet */
  refunds: DepositRecordView[]
}

/** One entry per equivocating author: the first evidence seen (any pair proves it; the contract slashes once). */
function byAuthor(list: readonly Equivocation[]): Equivocation[] {
  const seen = new Set<number>()
  return list.filter((e) => !seen.has(e.author) && seen.add(e.author))
}

/** A participant's app waits this long per index before challenging, so honest towers do not all send at once. */
const TOWER_STAGGER_MS = 3000

const timeOf = (unixSeconds: bigint) => new Date(Number(unixSeconds) * 1000).toLocaleString()

function PayoutTable({
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
                {p === me ? ' (you)' : ''}
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

type Confirming = { kind: 'exit'; version: bigint } | { kind: 'escape' } | undefined

/**
 * Settlement: ask for a checkpoint, propose the newest one a quorum signed, watch the dispute countdown, challenge
 * with a newer one (by hand, and automatically: the open app is a watchtower), finalize, claim and withdraw in one
 * call; exit alone (a proposal: paid after finalization); refund deposits the final checkpoint does not credit;
 * the liveness escape; slash equivocation and conflicting checkpoint signatures; release the bond once unlocked.
 * Every action shows its progress, its transaction hashes and the decoded error on failure, and what each
 * participant receives is shown before Propose, Finalize and Claim.
 */
export function SettlementPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const ctx = live.settlement
  const { names, readOnly, tokens } = useTrading()
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const { run, state, busy, client } = useWalletAction()
  const [chain, setChain] = useState<ChainView | undefined>()
  const clock = useRef(new ChainClock()).current
  const [wallMs, setWallMs] = useState(() => Date.now())
  const liveSince = useRef(Date.now()).current
  const [confirming, setConfirming] = useState<Confirming>()
  const [signing, setSigning] = useState<
    | { phase: 'running' }
    | { phase: 'done'; version: bigint }
    | { phase: 'failed'; message: string }
    | undefined
  >()
  const checkpoints = useSnapshot((s) => s.checkpoints)
  const certified = useSnapshot((s) => s.certifiedCheckpoints)
  const equivocations = byAuthor(useSnapshot((s) => s.equivocations))
  const conflicts = provableConflicts(useSnapshot((s) => s.checkpointConflicts))
  const n = live.channel.config.participants.length
  const t = live.channel.config.threshold
  const me = ctx.me
  const watchedKey = [
    ...new Set([me, ...equivocations.map((e) => e.author), ...conflicts.map((c) => c.author)]),
  ]
    .sort((a, b) => a - b)
    .join(',')

  // the watchtower: what the last poll decided, what it sent, and which proposals it already answered
  const [tower, setTower] = useState<TowerStep | undefined>()
  const [attempt, setAttempt] = useState<TowerAttempt | undefined>()
  const attempted = useRef(new Set<string>()).current
  const firstSeen = useRef(new Map<string, number>()).current
  const towerDeps = useRef({ client, readOnly })
  towerDeps.current = { client, readOnly }

  useEffect(() => {
    if (!publicClient) return
    let stop = false
    const channelId = toHex(live.channel.channelId)
    const participants = live.channel.config.participants
    const watched = watchedKey.split(',').map(Number)
    const challenge = (key: string, version: bigint, against: bigint, c: WriteClient) => {
      attempted.add(key)
      const cp = proposable(live.replica)
      if (!cp) return
      setAttempt({ key, version, against, phase: 'sending' })
      let tx: string | undefined
      proposeOnChain(c, ctx, cp)
        .then(async (hash) => {
          tx = hash
          await confirmTransaction(c, { hash })
          setAttempt({ key, version, against, phase: 'done', tx: hash })
        })
        .catch((e: unknown) =>
          setAttempt({
            key,
            version,
            against,
            phase: 'failed',
            error: describeError(e),
            ...(tx ? { tx } : {}),
          }),
        )
    }
    const poll = async () => {
      try {
        const [status, info, ...members] = await Promise.all([
          getDisputeStatus(publicClient, { address: ctx.contract, channelId }),
          getChannelInfo(publicClient, { address: ctx.contract, channelId }),
          ...watched.map((i) =>
            getParticipantInfo(publicClient, {
              address: ctx.contract,
              channelId,
              participant: participants[i]!.address,
            }),
          ),
        ])
        let refunds: DepositRecordView[] = []
        if (status.phase === 'finalized' && info.depositCount > info.checkpoint.depositCount) {
          const records = await readDepositRecords(publicClient, {
            address: ctx.contract,
            channelId,
            fromIndex: info.checkpoint.depositCount,
          })
          const done = await Promise.all(
            records.map((r) =>
              readContract(publicClient, {
                address: ctx.contract,
                abi: channelSettlementAbi,
                functionName: 'isRefunded',
                args: [channelId, r.index],
              }),
            ),
          )
          refunds = refundable(
            records,
            true,
            info.checkpoint.depositCount,
            new Set(records.filter((_, i) => done[i]).map((r) => r.index)),
          )
        }
        if (stop) return
        clock.observe(status.now, Date.now())
        setWallMs(Date.now())
        const bonds = new Map(
          watched.map((i, k) => [i, { bond: members[k]!.bond, slashed: members[k]!.slashed }]),
        )
        setChain({
          status,
          balancesRoot: info.checkpoint.balancesRoot,
          creditedDeposits: info.checkpoint.depositCount,
          disputeWindow: info.disputeWindow,
          bonds,
          refunds,
        })
        // the watchtower's step: decided by the chain layer's rule, sent once per stale proposal
        const view: TowerChainView = {
          status: info.status as ChannelStatus,
          version: info.checkpoint.version,
          digest: info.checkpoint.digest,
          deadline: info.deadline,
          now: status.now,
          threshold: info.threshold,
          depositCount: info.depositCount,
          forcedCount: info.forcedCount,
        }
        const step = towerStep(view, proposable(live.replica), attempted, 60n)
        setTower(step)
        const { client: c, readOnly: ro } = towerDeps.current
        if (step.send && c && !ro && step.decision.action === 'challenge') {
          const seen = firstSeen.get(step.key) ?? Date.now()
          firstSeen.set(step.key, seen)
          if (step.decision.urgent || Date.now() - seen >= me * TOWER_STAGGER_MS)
            challenge(step.key, step.decision.version, view.version, c)
        }
      } catch {
        // the next poll retries; the panel keeps the last known state
      }
    }
    void poll()
    const timer = setInterval(poll, 1000)
    return () => {
      stop = true
      clearInterval(timer)
    }
  }, [publicClient, ctx, live.channel, live.replica, watchedKey, clock, attempted, firstSeen, me])

  const read = chain?.status
  // the countdown runs on the wall clock between reads, whether or not the chain mines meanwhile
  const counting = read?.phase === 'disputing'
  useEffect(() => {
    if (!counting) return
    const t = setInterval(() => setWallMs(Date.now()), 250)
    return () => clearInterval(t)
  }, [counting])
  const status = read && { ...read, ...liveDispute(read, clock.now(wallMs)) }
  const best = proposable(live.replica)
  const pending =
    status && status.version > 0n && status.phase !== 'open'
      ? findCheckpoint(live.replica, status.version, chain!.balancesRoot)
      : undefined
  const finalized = status?.phase === 'finalized' ? pending : undefined
  const canPropose =
    best &&
    (!status || status.phase === 'open' || (status.phase === 'disputing' && best.version > status.version))
  const ownBond = chain?.bonds.get(me)
  const chainNow = status ? status.now : undefined
  const bondLocked =
    status?.phase !== 'finalized' || chainNow === undefined || chainNow < status.bondsUnlockAt
  const lastCertified = certified[certified.length - 1]
  const escapeAdvice = escapeDue({
    open: status?.phase === 'open',
    lastCertifiedMs: lastCertified ? Number(lastCertified.time) : undefined,
    liveSinceMs: liveSince,
    nowMs: wallMs,
    disputeWindowSeconds: chain?.disputeWindow ?? 0n,
  })

  // what each participant receives from the checkpoint the next action is about
  let payoutTitle: string | undefined
  let payoutVersion: bigint | undefined
  if (finalized) {
    payoutTitle = `Finalized v${finalized.version}: each participant claims`
    payoutVersion = finalized.version
  } else if (status?.phase === 'finalizable' && pending) {
    payoutTitle = `Finalize pays out v${pending.version}: each participant will receive`
    payoutVersion = pending.version
  } else if (canPropose && best) {
    payoutTitle = `If v${best.version} is proposed and finalizes, each participant will receive`
    payoutVersion = best.version
  } else if (status?.phase === 'disputing' && pending) {
    payoutTitle = `If v${pending.version} finalizes, each participant will receive`
    payoutVersion = pending.version
  }
  const payouts = payoutVersion === undefined ? undefined : payoutsOf(live.replica, payoutVersion)

  const sign = () => {
    setSigning({ phase: 'running' })
    requestCheckpoint(ctx).then(
      (version) => setSigning({ phase: 'done', version }),
      (e: unknown) => setSigning({ phase: 'failed', message: describeError(e) }),
    )
  }
  let signingText: string | undefined
  if (signing?.phase === 'running') signingText = 'Requesting…'
  else if (signing?.phase === 'failed') signingText = `Not requested: ${signing.message}`
  else if (signing?.phase === 'done') {
    const latest = checkpoints[checkpoints.length - 1]
    signingText =
      latest && latest.version >= signing.version
        ? `Checkpoint v${latest.version}: ${latest.signatures.size} of ${n} signatures (${t} needed on chain)${
            latest.signatures.size >= t ? ' · ready to propose' : ''
          }`
        : `Requested: the checkpoint is taken at the next commit and every participant signs it automatically`
  }
  const exitVersion =
    best && (status?.phase === 'open' || (status?.phase === 'disputing' && best.version > status.version))
      ? best.version
      : undefined
  const myExitHoldings = exitVersion === undefined ? undefined : payoutsOf(live.replica, exitVersion)?.[me]

  return (
    <section className="panel form" aria-label="Settlement">
      <h3>Settlement</h3>
      <p className="muted" data-testid="dispute-status">
        On chain: {status ? status.phase : '…'}
        {status && status.version > 0n && ` · checkpoint v${status.version}`}
        {status?.phase === 'disputing' && ` · ${status.secondsLeft.toString()} s left to challenge`}
        {status?.phase === 'finalizable' &&
          read?.phase === 'disputing' &&
          ' · the window has ended; finalize once the chain mines its next block'}
        {status?.phase === 'finalized' &&
          !finalized &&
          ` · the finalized checkpoint is not known here yet (waiting for its blocks)`}
      </p>
      <p className="muted" data-testid="checkpoints">
        Checkpoints:{' '}
        {checkpoints
          .slice(-5)
          .map((c) => `v${c.version} (${c.signatures.size}/${n})`)
          .join(', ') || 'none'}{' '}
        · ready for the chain (≥{t} signatures):{' '}
        {certified
          .slice(-3)
          .map((c) => `v${c.version}`)
          .join(', ') || 'none'}
      </p>
      {payouts && payoutTitle && (
        <PayoutTable title={payoutTitle} payouts={payouts} names={names} tokens={tokens} me={me} />
      )}
      <div className="row">
        <button
          type="button"
          title={readOnly ? 'the other tab of this channel holds the session key and signs' : undefined}
          disabled={
            readOnly ||
            signing?.phase === 'running' ||
            (status !== undefined && status.phase !== 'open' && status.phase !== 'disputing')
          }
          onClick={sign}
        >
          Checkpoint now
        </button>
        {canPropose && best && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(
                status?.phase === 'disputing'
                  ? `Challenge with v${best.version}`
                  : `Propose v${best.version}`,
                async (c, track) => {
                  const hash = await proposeOnChain(c, ctx, best)
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                },
              )
            }
          >
            {status?.phase === 'disputing'
              ? `Challenge with v${best.version}`
              : `Propose v${best.version} on chain`}
          </button>
        )}
        {status?.phase === 'finalizable' && (
          <button
            type="button"
            // the contract judges by the block's timestamp: a call against a block before the deadline reverts
            disabled={busy || read?.phase !== 'finalizable'}
            title={
              read?.phase === 'finalizable' ? undefined : 'waiting for the first block past the deadline'
            }
            onClick={() =>
              run('Finalize', async (c, track) => {
                const hash = await finalizeOnChain(c, ctx)
                track.sent(hash)
                await confirmTransaction(c, { hash })
              })
            }
          >
            Finalize
          </button>
        )}
        {finalized && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run(
                'Claim and withdraw',
                async (c, track) => {
                  for (const hash of await claimAndWithdrawAll(c, ctx, finalized, track.sent))
                    await confirmTransaction(c, { hash })
                  // slash shares and refunds are paid in ETH or tokens to the pull balance
                  for (const hash of await withdrawAll(c, ctx, track.sent))
                    await confirmTransaction(c, { hash })
                },
                (e) => e instanceof AlreadyClaimedError,
              )
            }
          >
            Claim and withdraw
          </button>
        )}
        {ownBond && ownBond.bond > 0n && !ownBond.slashed && status && status.phase !== 'open' && (
          <button
            type="button"
            className="secondary"
            disabled={busy || bondLocked}
            data-testid="release-bond"
            title={
              bondLocked
                ? status.bondsUnlockAt > 0n
                  ? `locked until ${timeOf(status.bondsUnlockAt)} (chain time): evidence of misbehaviour is accepted until then`
                  : 'locked until settlement is finalized'
                : undefined
            }
            onClick={() =>
              run(`Release bond (${formatEther(ownBond.bond)} ETH)`, async (c, track) => {
                const hash = await releaseBondOnChain(c, ctx)
                track.sent(hash)
                await confirmTransaction(c, { hash })
                for (const h of await withdrawAll(c, ctx, track.sent))
                  await confirmTransaction(c, { hash: h })
              })
            }
          >
            Release bond
          </button>
        )}
        {exitVersion !== undefined && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'exit', version: exitVersion })}
          >
            Emergency exit (v{exitVersion.toString()})
          </button>
        )}
        {escapeAdvice.due && (
          <button
            type="button"
            className="danger"
            disabled={busy || readOnly}
            onClick={() => setConfirming({ kind: 'escape' })}
          >
            Escape channel
          </button>
        )}
      </div>
      {ownBond && ownBond.bond > 0n && bondLocked && status && status.bondsUnlockAt > 0n && (
        <p className="muted small" data-testid="bond-lock">
          Your bond ({formatEther(ownBond.bond)} ETH) is locked until {timeOf(status.bondsUnlockAt)} (chain
          time): evidence of misbehaviour is accepted until then.
        </p>
      )}
      {escapeAdvice.due && (
        <p className="muted small" data-testid="escape-advice">
          No checkpoint has been signed by {t} of {n} participants for{' '}
          {Math.round((wallMs - escapeAdvice.sinceMs) / 60_000)} minutes (the escape is offered after{' '}
          {Math.round(escapeAfterMs(chain?.disputeWindow ?? 0n) / 60_000)}).
        </p>
      )}
      {confirming?.kind === 'exit' && (
        <div className="confirm" role="alertdialog" aria-label="Confirm emergency exit">
          <p>
            <strong>Emergency exit with v{confirming.version.toString()}.</strong> This proposes v
            {confirming.version.toString()} on chain alone: trading stops for everyone and the{' '}
            {chain ? `${chain.disputeWindow.toString()} s ` : ''}dispute window starts. Nothing is paid now:
            you are paid your holdings in whichever checkpoint finalizes (a newer one the others hold replaces
            it).
          </p>
          {myExitHoldings && (
            <p className="muted">
              Your holdings in v{confirming.version.toString()}:{' '}
              {myExitHoldings
                .map((v, k) => `${formatUnits(v, tokens[k]?.decimals ?? 18, 6)} ${tokens[k]?.symbol ?? ''}`)
                .join(', ')}
            </p>
          )}
          <div className="row">
            <button
              type="button"
              className="danger solid"
              disabled={busy}
              onClick={() => {
                const version = confirming.version
                setConfirming(undefined)
                const cp = findCheckpoint(live.replica, version)
                if (!cp) return
                run(`Emergency exit (v${version})`, async (c, track) => {
                  const hash = await exitAlone(c, ctx, cp)
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                  track.doneText('exit requested — paid after finalization')
                })
              }}
            >
              Confirm emergency exit
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {confirming?.kind === 'escape' && (
        <div className="confirm" role="alertdialog" aria-label="Confirm escape">
          <p>
            <strong>Escape the channel.</strong> Ends trading with no checkpoint. If nobody proposes a
            checkpoint signed by {t} participants within the escape window (at least 30 days), every deposit
            is refunded to its depositor after finalization; trades since then are lost.
          </p>
          <div className="row">
            <button
              type="button"
              className="danger solid"
              disabled={busy}
              onClick={() => {
                setConfirming(undefined)
                run('Escape', async (c, track) => {
                  const hash = await escapeOnChain(c, ctx)
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                  track.doneText('escape started — deposits refundable after the escape window')
                })
              }}
            >
              Confirm escape
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {signingText && (
        <p className={signing?.phase === 'failed' ? 'error' : 'muted'} data-testid="sign-status">
          {signingText}
        </p>
      )}
      {chain && chain.refunds.length > 0 && (
        <div data-testid="refunds">
          <p className="muted small">
            Deposits the final checkpoint does not credit (refunded to their depositor):
          </p>
          {chain.refunds.map((r) => (
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
      )}
      {equivocations.map((e) => {
        const onChain = chain?.bonds.get(e.author)
        return (
          <div key={`e${e.author}`} className="row" data-testid={`equivocator-${e.author}`}>
            <span className="down">
              {names[e.author]} (participant {e.author + 1}) signed two blocks at seq {e.seq}
              {onChain &&
                (onChain.slashed
                  ? ' · slashed on chain'
                  : ` · bond on chain ${formatEther(onChain.bond)} ETH`)}
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                run('Slash', async (c, track) => {
                  const hash = await slashOnChain(c, ctx, e)
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                })
              }
            >
              Slash bond
            </button>
          </div>
        )
      })}
      {conflicts.map((cf) => {
        const onChain = chain?.bonds.get(cf.author)
        return (
          <div key={`c${cf.author}`} className="row" data-testid={`conflict-${cf.author}`}>
            <span className="down">
              {names[cf.author]} (participant {cf.author + 1}) signed two different checkpoints at v
              {cf.version.toString()}
              {onChain &&
                (onChain.slashed
                  ? ' · slashed on chain'
                  : ` · bond on chain ${formatEther(onChain.bond)} ETH`)}
            </span>
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                run('Slash (checkpoints)', async (c, track) => {
                  const hash = await slashConflictOnChain(c, ctx, cf)
                  track.sent(hash)
                  await confirmTransaction(c, { hash })
                })
              }
            >
              Slash bond for conflicting checkpoints
            </button>
          </div>
        )
      })}
      <p className="muted small" data-testid="watchtower">
        Watchtower{readOnly ? ' (the writer tab challenges)' : ''}: {towerText(tower, attempt)}
        {attempt?.phase === 'done' && (
          <>
            {' '}
            <TxHash hash={attempt.tx} />
          </>
        )}
      </p>
      <ActionStatus state={state} />
    </section>
  )
}
