import { expect, type Page, test } from '@playwright/test'
import { liveChannel } from './support/trader.ts'

/** Regions every trader needs on screen, at any width. */
const REGIONS = ['Order book', 'Price chart', 'Order entry', 'Funds', 'Settlement'] as const

/** Nothing wider than the viewport: no horizontal page scroll, every region inside the screen's width. */
async function fitsWidth(page: Page, width: number) {
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(width)
  for (const name of REGIONS) {
    const region = page.locator(`[aria-label="${name}"]`).first()
    await region.scrollIntoViewIfNeeded({ timeout: 10_000 })
    const box = await region.boundingBox()
    expect(box, name).not.toBeNull()
    expect(box!.x, `${name} starts on screen`).toBeGreaterThanOrEqual(0)
    expect(box!.x + box!.width, `${name} ends on screen`).toBeLessThanOrEqual(width + 0.5)
    expect(box!.width, `${name} is not squeezed`).toBeGreaterThan(Math.min(240, width - 40))
  }
}

test('layout: from a 375 px phone to a 1440 px screen every panel fits the width and nothing scrolls sideways', async ({
  browser,
}) => {
  const { traders } = await liveChannel(browser, [6, 7], undefined, 60, 2)
  const a = traders[0]!
  await a.place('Sell', '2000', '1')
  for (const [width, height] of [
    [375, 812],
    [768, 1024],
    [1440, 900],
  ] as const) {
    await a.page.setViewportSize({ width, height })
    await fitsWidth(a.page, width)
    await a.page.evaluate(() => window.scrollTo(0, 0))
    await a.page.screenshot({ path: `docs/screenshots/layout-${width}.png`, fullPage: width !== 375 })
  }
  // at 1440 px the book, the chart and the order entry sit side by side
  const [book, chart, entry] = await Promise.all(
    ['Order book', 'Price chart', 'Order entry'].map((name) =>
      a.page.locator(`[aria-label="${name}"]`).first().boundingBox(),
    ),
  )
  expect(book!.x + book!.width).toBeLessThanOrEqual(chart!.x)
  expect(chart!.x + chart!.width).toBeLessThanOrEqual(entry!.x)
  for (const t of traders) await t.close()
})
