// Runs before the app. Until the app mounts and removes #boot, a failure to start it (a browser
// without WebAssembly, a download that failed) replaces "Loading the simulation…" with what went
// wrong, so the page never stays loading forever. Text only, never HTML.
(() => {
  const fail = (reason) => {
    const status = document.querySelector('#boot .boot-status');
    if (!status) return;
    status.textContent = `StateLab could not start (${reason}). Reload the page, or open it in a current browser.`;
    status.parentElement.classList.add('boot-failed');
  };
  if (typeof WebAssembly !== 'object') {
    addEventListener('DOMContentLoaded', () => fail('this browser cannot run WebAssembly'));
    return;
  }
  addEventListener('unhandledrejection', (e) => fail(String(e.reason?.message ?? e.reason)));
  addEventListener('error', (e) => fail((e.message || 'a script did not load').replace(/^Uncaught /, '')), true);
})();
