import '@cloudscape-design/global-styles/index.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { signIn } from './api';

const root = document.getElementById('root');
if (root) {
  // The session cookie first: every API call after this one carries it.
  signIn().then((refused) => {
    createRoot(root).render(
      <StrictMode>
        <App signInRefused={refused} />
      </StrictMode>,
    );
  });
}
