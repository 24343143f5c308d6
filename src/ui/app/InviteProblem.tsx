import { InviteError } from '../../core/invite.ts'

/** What a user can do about an invite that does not open here, by what is wrong with it. */
export function inviteProblemHint(message: string): string {
  if (message.startsWith('this invite is for'))
    return 'Open the link in the app it was made for, or ask for an invite made in this one.'
  if (message.startsWith('invite: made by another version'))
    return 'The link is whole, but this app cannot read it: open it in the app version that made it, or ask for an invite made in this one.'
  return 'The link is damaged or cut short: it is one long line, and copying often breaks it. Ask whoever sent it to copy it again with its Copy link button, then paste all of it.'
}

/**
 * An invite that cannot open a lobby here (damaged, or made for another chain or contract): the reason, what to
 * do, and a way back to the start page instead of a dead end.
 */
export function InviteProblem({ error }: { error: unknown }) {
  const message = error instanceof InviteError || error instanceof Error ? error.message : String(error)
  return (
    <main className="page">
      <section className="panel" aria-label="Invite problem">
        <h2>This invite cannot be opened</h2>
        <p className="error" role="alert">
          {message}
        </p>
        <p>{inviteProblemHint(message)}</p>
        <a className="button" href="#/">
          Back to start
        </a>
      </section>
    </main>
  )
}
