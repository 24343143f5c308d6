import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './ui/app/App.tsx'
import { SimulatorPage } from './ui/SimulatorPage.tsx'
import './ui/theme.css'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>{location.hash.startsWith('#/simulator') ? <SimulatorPage /> : <App />}</StrictMode>,
)
