import { useRef, useState } from 'react'
import { toHex } from 'viem'
import { usePublicClient } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import type { ReadClient } from '../../chain/types.ts'
import type { Equivocation } from '../../core/replica.ts'
import { readinessText, readyCheckpoint } from '../../store/chainSignatures.ts'
import { checklist } from '../../store/checklist.ts'
import { closePayoutTable } from '../../store/closeOutcome.ts'
import type { CloseChain } from '../../store/closeTogether.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import {
  AlreadyClaimedError,
  AlreadyFinalizedError,
  claimAndWithdrawAll,
  finalizeAndConfirm,
  findCheckpoint,
  proposable,
  proposeOnChain,
  provableConflicts,
  requestCheckpoint,
  withdrawAll,
} from '../../store/settlement.ts'
import { checkpointCovers, escapeDue, payoutFocus, payoutsOf } from '../../store/settlementPlan.ts'
import { liveDispute } from '../chainClock.ts'
import { useSnapshot, useTrading } from '../trading/context.ts'
import { BondRelease } from './settlement/BondRelease.tsx'
import { Checklist } from './settlement/Checklist.tsx'
import { CloseTogether } from './settlement/CloseTogether.tsx'
import { EmergencyActions } from './settlement/EmergencyActions.tsx'
import { Offenders } from './settlement/Offenders.tsx'
import { PayoutTable } from './settlement/PayoutTable.tsx'
import { Refunds } from './settlement/Refunds.tsx'
import { TowerLine } from './settlement/TowerLine.tsx'
import { useSettlementChain } from './settlement/useSettlementChain.ts'
import { ActionStatus, describeError, useWalletAction } from './useWalletAction.tsx'

/** One entry per equivocating author: the first evidence seen (any pair proves it; the contract slashes once). */
function byAuthor(list: readonly Equivocation[]): Equivocation[] {
  const seen = new Set<number>()
  return list.filter((e) => !seen.has(e.author) && seen.add(e.author))
}

/**
 * Settlement: ask for a checkpoint, propose the newest one a quorum signed, watch the dispute countdown, challenge
 * with a newer one (by hand, and automatically: the open app is a watchtower), finalize, claim and withdraw in one
 * call; exit alone (a proposal: paid after finalization); refund deposits the final checkpoint does not credit;
 * the liveness escape; slash equivocation and conflicting checkpoint signatures; release the bond once unlocked;
 * close together (every participant signs one close, anyone submits it: final and paid at once; CloseTogether.tsx).
 * Every action shows its progress, its transaction hashes and the decoded error on failure, and what each
 * participant receives is shown before Propose, Finalize and Claim.
 */
export function SettlementPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const ctx = live.settlement
  const { names, readOnly, tokens } = useTrading()
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const { run, state, busy, client } = useWalletAction()
  const liveSince = useRef(Date.now()).current
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
  const deposited = useSnapshot((s) => s.balances.some((b) => b.total > 0n))
  const traded = useSnapshot((s) => s.tradeRows.some((r) => r.mine !== undefined))
  const n = live.channel.config.participants.length
  const t = live.channel.config.threshold
  const me = ctx.me
  const watchedKey = [
    ...new Set([me, ...equivocations.map((e) => e.author), ...conflicts.map((c) => c.author)]),
  ]
    .sort((a, b) => a - b)
    .join(',')
  const { chain, clock, wallMs, tower, attempt, readiness, slashes } = useSettlementChain({
    live,
    ctx,
    watchedKey,
    client,
    readOnly,
  })

  const read = chain?.status
  const status = read && { ...read, ...liveDispute(read, clock.now(wallMs)) }
  const best = proposable(live.replica)
  const nameOf = (i: number) => names[i] ?? `participant ${i + 1}`
  // a checkpoint signed by a rotated key waits until the rotation is mined: the contract would refuse it
  const waiting = best && readiness?.digest === best.digest ? readinessText(readiness, me, nameOf) : undefined
  /** the checkpoint with only the signatures the contract accepts now, or a NotReadyOnChainError (nothing sent) */
  const forChain = (cp: typeof best & {}) =>
    publicClient
      ? readyCheckpoint(
          publicClient,
          { contract: ctx.contract, channelId: toHex(live.channel.channelId) },
          cp,
          { participants: live.channel.config.participants.map((p) => p.address), threshold: t, me, nameOf },
        )
      : Promise.resolve(cp)
  const newestCertified = certified[certified.length - 1]?.version
  const steps = checklist({
    deposited,
    traded,
    certified: newestCertified,
    certifiedCoversYou: newestCertified !== undefined && checkpointCovers(live.replica, newestCertified, me),
    quorum: t,
    participants: n,
    phase: status?.phase,
    onChainVersion: status?.version ?? 0n,
    secondsLeft: status?.phase === 'disputing' ? status.secondsLeft : undefined,
    unclaimed: chain?.unclaimed,
  })
  const pending =
    status && status.version > 0n && status.phase !== 'open'
      ? findCheckpoint(live.replica, status.version, chain!.balancesRoot)
      : undefined
  const finalized = status?.phase === 'finalized' ? pending : undefined
  const canPropose =
    best &&
    (!status || status.phase === 'open' || (status.phase === 'disputing' && best.version > status.version))
  const lastCertified = certified[certified.length - 1]
  const escapeAdvice = escapeDue({
    open: status?.phase === 'open',
    lastCertifiedMs: lastCertified ? Number(lastCertified.time) : undefined,
    liveSinceMs: liveSince,
    nowMs: wallMs,
    disputeWindowSeconds: chain?.disputeWindow ?? 0n,
  })

  // what each participant receives from the checkpoint the next action is about; after a close together, what the
  // chain's ClosePayout events say it paid
  const focus = payoutFocus({
    phase: status?.phase,
    known: pending?.version,
    proposable: canPropose ? best?.version : undefined,
  })
  const closed = chain?.closed
  const payoutTitle = closed
    ? `Closed together at v${status?.version}: paid to each participant`
    : focus?.title
  const payouts = closed
    ? closePayoutTable(
        closed.payouts,
        live.channel.config.participants.map((p) => p.address),
        live.channel.config.tokens,
      )
    : focus && payoutsOf(live.replica, focus.version)
  const closeChain: CloseChain | undefined = status && {
    phase: status.phase,
    version: status.version,
    closedTogether: closed !== undefined,
  }

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
            // proposing is only for an open channel: once settling or final, the line must not offer it
            latest.signatures.size >= t && (!status || status.phase === 'open') ? ' · ready to propose' : ''
          }`
        : `Requested: the checkpoint is taken at the next commit and every participant signs it automatically`
  }
  const exitVersion =
    best && (status?.phase === 'open' || (status?.phase === 'disputing' && best.version > status.version))
      ? best.version
      : undefined

  return (
    <section className="panel form" aria-label="Settlement">
      <h3>Settlement</h3>
      <Checklist steps={steps} />
      <p className="muted" data-testid="dispute-status">
        On chain: {status ? status.phase : '…'}
        {status && status.version > 0n && ` · checkpoint v${status.version}`}
        {status?.phase === 'disputing' && ` · ${status.secondsLeft.toString()} s left to challenge`}
        {status?.phase === 'finalizable' &&
          read?.phase === 'disputing' &&
          ' · the window has ended; finalize once the chain mines its next block'}
        {closed && ' · closed together: every balance paid out'}
        {status?.phase === 'finalized' &&
          !finalized &&
          !closed &&
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
        {status?.phase !== 'finalized' && (
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
        )}
        {canPropose && best && (
          <button
            type="button"
            disabled={busy || waiting !== undefined}
            title={waiting}
            onClick={() =>
              run(
                status?.phase === 'disputing'
                  ? `Challenge with v${best.version}`
                  : `Propose v${best.version}`,
                async (c, track) => {
                  const hash = await proposeOnChain(c, ctx, await forChain(best))
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
              run(
                'Finalize',
                (c, track) => finalizeAndConfirm(c, ctx, track.sent),
                (e) => e instanceof AlreadyFinalizedError,
              )
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
      </div>
      {signingText && (
        <p className={signing?.phase === 'failed' ? 'error' : 'muted'} data-testid="sign-status">
          {signingText}
        </p>
      )}
      {status && status.phase !== 'open' && (
        <BondRelease
          ctx={ctx}
          bond={chain?.bonds.get(me)}
          finalized={status.phase === 'finalized'}
          now={status.now}
          bondsUnlockAt={status.bondsUnlockAt}
          run={run}
          busy={busy}
        />
      )}
      {waiting && canPropose && (
        <p className="muted small" data-testid="propose-waiting">
          {waiting}
        </p>
      )}
      <EmergencyActions
        ctx={ctx}
        exitVersion={exitVersion}
        escapeAdvice={escapeAdvice}
        disputeWindow={chain?.disputeWindow}
        quorum={t}
        participants={n}
        wallMs={wallMs}
        tokens={tokens}
        run={run}
        busy={busy}
        readOnly={readOnly}
        forChain={forChain}
      />
      <CloseTogether
        ctx={ctx}
        chain={closeChain}
        outcome={chain?.closed}
        names={names}
        tokens={tokens}
        run={run}
        busy={busy}
        readOnly={readOnly}
      />
      {chain && chain.refunds.length > 0 && (
        <Refunds
          refunds={chain.refunds}
          names={names}
          tokens={tokens}
          me={me}
          ctx={ctx}
          run={run}
          busy={busy}
        />
      )}
      <Offenders
        equivocations={equivocations}
        conflicts={conflicts}
        names={names}
        bonds={chain?.bonds}
        ctx={ctx}
        run={run}
        busy={busy}
      />
      <TowerLine
        tower={tower}
        attempt={attempt}
        slashes={slashes}
        readOnly={readOnly}
        waiting={waiting}
        names={names}
      />
      <ActionStatus state={state} />
    </section>
  )
}
