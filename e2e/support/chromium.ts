import { existsSync } from 'node:fs'

/**
 * The Chromium the browser suites drive: `CHROMIUM_PATH` if set, else the distribution's (Debian `chromium`,
 * Ubuntu `chromium-browser`), else undefined — Playwright's own browser (`npx playwright install chromium`) on
 * machines without a system Chromium (macOS, Windows). Never downloaded at run time.
 */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`)
    return fromEnv
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))
}
