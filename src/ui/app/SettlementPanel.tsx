import { useEffect, useState } from 'react'
import { usePublicClient } from 'wagmi'
import { confirmTransaction } from '../../chain/actions/confirmTransaction.ts'
import { type GetDisputeStatusReturnType, getDisputeStatus } from '../../chain/readers/getDisputeStatus.ts'
import type { ReadClient, WriteClient } from '../../chain/types.ts'
import { toHex } from '../../core/bytes.ts'
import type { ChannelRuntime } from '../../store/runtime.ts'
import {
  claimAll,
  exitAlone,
  finalizeOnChain,
  findCheckpoint,
  fullySigned,
  proposable,
  proposeOnChain,
  signCurrentCheckpoint,
  slashOnChain,
  withdrawAll,
} from '../../store/settlement.ts'
import { useSnapshot } from '../trading/context.ts'
import { ActionStatus, useWalletAction } from './useWalletAction.tsx'

const waitAll = async (c: WriteClient, hashes: `0x${string}`[]) => {
  for (const hash of hashes) await confirmTransaction(c, { hash })
}

/**
 * Settlement: sign the current checkpoint, propose the latest one with t signatures, watch the dispute
 * countdown, challenge with a newer one, finalize, claim and withdraw; exit alone with a fully signed checkpoint;
 * slash an equivocator. Every action shows its progress and the decoded error on failure.
 */
export function SettlementPanel({ runtime }: { runtime: ChannelRuntime }) {
  const live = runtime.live!
  const ctx = live.settlement
  const publicClient = usePublicClient() as unknown as ReadClient | undefined
  const { run, state, busy } = useWalletAction()
  const [status, setStatus] = useState<GetDisputeStatusReturnType | undefined>()
  const [signing, setSigning] = useState(false)
  const checkpoints = useSnapshot((s) => s.checkpoints)
  const finals = useSnapshot((s) => s.finalCheckpoints)
  const equivocations = useSnapshot((s) => s.equivocations)
  const n = live.channel.config.participants.length
  const t = live.channel.config.threshold

  useEffect(() => {
    if (!publicClient) return
    let stop = false
    const poll = () =>
      getDisputeStatus(publicClient, {
        address: ctx.contract,
        channelId: toHex(live.channel.channelId),
      }).then(
        (s) => !stop && setStatus(s),
        () => {},
      )
    void poll()
    const timer = setInterval(poll, 1000)
    return () => {
      stop = true
      clearInterval(timer)
    }
  }, [publicClient, ctx.contract, live.channel.channelId])

  const best = proposable(live.replica)
  const full = fullySigned(live.replica)
  const finalized = status?.phase === 'finalized' ? findCheckpoint(live.replica, status.version) : undefined
  const canPropose =
    best &&
    (!status || status.phase === 'open' || (status.phase === 'disputing' && best.version > status.version))
  return (
    <section className="panel form" aria-label="Settlement">
      <h3>Settlement</h3>
      <p className="muted" data-testid="dispute-status">
        On chain: {status ? status.phase : '…'}
        {status && status.version > 0n && ` · checkpoint v${status.version}`}
        {status?.phase === 'disputing' && ` · ${status.secondsLeft.toString()} s left to challenge`}
      </p>
      <p className="muted">
        Checkpoints signed here:{' '}
        {checkpoints.map((c) => `v${c.version} (${c.signatures.size}/${n})`).join(', ') || 'none'} · final (≥
        {t}): {finals.map((c) => `v${c.version}`).join(', ') || 'none'}
      </p>
      <div className="row">
        <button
          type="button"
          disabled={signing}
          onClick={() => {
            setSigning(true)
            signCurrentCheckpoint(ctx).finally(() => setSigning(false))
          }}
        >
          Sign current checkpoint
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
                async (c) => confirmTransaction(c, { hash: await proposeOnChain(c, ctx, best) }),
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
            disabled={busy}
            onClick={() =>
              run('Finalize', async (c) => confirmTransaction(c, { hash: await finalizeOnChain(c, ctx) }))
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
              run('Claim and withdraw', async (c) => {
                await waitAll(c, await claimAll(c, ctx, finalized))
                await waitAll(c, await withdrawAll(c, ctx))
              })
            }
          >
            Claim and withdraw
          </button>
        )}
        {full && status?.phase !== 'finalized' && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run('Emergency exit', async (c) => {
                await waitAll(c, await exitAlone(c, ctx, full))
                await waitAll(c, await withdrawAll(c, ctx))
              })
            }
          >
            Emergency exit (v{full.version})
          </button>
        )}
      </div>
      {equivocations.map((e) => (
        <div key={`${e.a.id}${e.b.id}`} className="row">
          <span className="down">
            Participant {e.author + 1} equivocated at seq {e.seq}
          </span>
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              run('Slash', async (c) => confirmTransaction(c, { hash: await slashOnChain(c, ctx, e) }))
            }
          >
            Slash bond
          </button>
        </div>
      ))}
      <ActionStatus state={state} />
    </section>
  )
}
