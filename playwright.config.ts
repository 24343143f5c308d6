import { defineConfig } from '@playwright/test'

/**
 * Browser suites: one context per participant, Debian's Chromium, a production build served by `vite preview`,
 * anvil and the signaling server started by the global setup — all on loopback. `npm run test:e2e` runs them
 * inside a loopback-only network namespace.
 */
export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list']],
  globalSetup: './e2e/support/globalSetup.ts',
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--allow-loopback-in-peer-connection'],
    },
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
})
