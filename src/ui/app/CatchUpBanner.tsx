import type { ChannelRuntime } from '../../store/runtime.ts'

/**
 * Catching up from a peer's certified base (issue #8): shown while a replica behind everyone's pruning point (or
 * on a new device) restores from a checkpoint signed by q of n, once it did, and when no offered base verifies —
 * also after a base misled it (a divergence: store/rejoin.ts).
 */
export function CatchUpBanner({ runtime }: { runtime: ChannelRuntime }) {
  const s = runtime.catchUp
  const q = runtime.config()?.threshold
  if (s.phase === 'idle') return null
  if (s.phase === 'failed' && s.diverged)
    return (
      <div className="banner error" role="alert" data-testid="catch-up">
        This device’s state left the channel’s — a peer’s checkpoint misled it, and trading is paused:{' '}
        {s.reason}. It starts again from the first other checkpoint signed by {q ?? 'a quorum'} participants
        that a peer offers.
      </div>
    )
  if (s.phase === 'failed')
    return (
      <div className="banner error" role="alert" data-testid="catch-up">
        Behind the others’ pruning point: {s.reason}. Trading resumes once a peer offers a checkpoint signed
        by {q ?? 'a quorum'} participants.
      </div>
    )
  if (s.phase === 'restoring')
    return (
      <div className="banner" role="status" data-testid="catch-up">
        Catching up from a checkpoint signed by {s.signers} of {s.participants}… (checkpoint{' '}
        {String(s.version)}, offered by participant {s.from + 1})
      </div>
    )
  return (
    <div className="banner muted" role="status" data-testid="catch-up">
      Caught up from checkpoint {String(s.version)}, signed by {s.signers} of {s.participants}, in{' '}
      {Math.round(s.ms)} ms.
    </div>
  )
}
