import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './ui/app/App.tsx'
import { SimulatorPage } from './ui/SimulatorPage.tsx'
import './ui/theme.css'

// libsecp256k1 (1.2 MB of WebAssembly) loads in the background; signatures are recovered with @noble/curves until
// it arrives, with the same verdicts (src/core/fastRecovery.ts)
void import('./core/fastRecovery.ts')
  .then(() => {
    document.documentElement.dataset.recovery = 'libsecp256k1'
  })
  .catch((e: unknown) => console.warn('libsecp256k1 not loaded; recovering with @noble/curves', e))

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>{location.hash.startsWith('#/simulator') ? <SimulatorPage /> : <App />}</StrictMode>,
)
