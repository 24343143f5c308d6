/**
 * The channels this browser opened, per wallet, newest first: what the start page lists under "Your channels", so
 * a trader gets back to a channel without its invite link (the back button led to the create form, and the start
 * page offered nothing else). Kept in the browser's storage; a link, nothing more — the channel itself is the
 * invite's.
 */
export type KnownChannel = {
  /** the invite's link text (what follows #/join/) */
  invite: string
  /** the channel id, hex */
  channelId: string
  /** the wallet, lower case */
  me: string
  /** what to call it: its markets */
  label: string
  /** when this browser last opened it (ms since the epoch) */
  at: number
}

export const KNOWN_CHANNELS_KEY = 'chx.channels'
/** entries kept across every wallet: the oldest go */
export const KNOWN_CHANNELS_MAX = 20

function read(storage: Storage): KnownChannel[] {
  try {
    const v = JSON.parse(storage.getItem(KNOWN_CHANNELS_KEY) ?? '[]') as unknown
    if (!Array.isArray(v)) return []
    return v.filter(
      (x): x is KnownChannel =>
        typeof x === 'object' &&
        x !== null &&
        typeof x.invite === 'string' &&
        typeof x.channelId === 'string' &&
        typeof x.me === 'string' &&
        typeof x.label === 'string' &&
        typeof x.at === 'number',
    )
  } catch {
    // another app's value, or a damaged one: start over rather than fail the start page
    return []
  }
}

/** Records that `entry.me` opened the channel now (moved to the front; one entry per channel and wallet). */
export function rememberChannel(storage: Storage, entry: KnownChannel): void {
  const me = entry.me.toLowerCase()
  const rest = read(storage).filter((x) => !(x.channelId === entry.channelId && x.me === me))
  const all = [{ ...entry, me }, ...rest].slice(0, KNOWN_CHANNELS_MAX)
  try {
    storage.setItem(KNOWN_CHANNELS_KEY, JSON.stringify(all))
  } catch {
    // storage full or refused: the list is a convenience, the channel works without it
  }
}

/** The channels `me` opened in this browser, newest first. */
export function knownChannels(storage: Storage, me: string): KnownChannel[] {
  const who = me.toLowerCase()
  return read(storage)
    .filter((x) => x.me === who)
    .sort((a, b) => b.at - a.at)
}
