// Runs before the app, in plain ES5 so that even an old browser gets this far. Until the app
// mounts and removes #boot, a failure to start it (no WebAssembly or no module scripts, the
// app's own files failing to load or to run) replaces "Loading the simulation…" with the
// reason, so the page never stays loading forever. Text only, never HTML.
(function () {
  // A host page's messages sent before the app listens (on the frame's load event, say) wait
  // here, and the app reads them once it does (see connect in src/host.rs).
  window.statelabEarly = [];
  function keep(e) {
    if (window.statelabEarly) window.statelabEarly.push(e);
    else removeEventListener('message', keep);
  }
  addEventListener('message', keep);
  var spanish = /(^|[?&])lang=es/.test(location.search) ||
    (!/(^|[?&])lang=/.test(location.search) && /^es\b/i.test(navigator.language || ''));
  var words = spanish
    ? { loading: 'Cargando la simulación…', failed: 'StateLab no pudo arrancar (', after: '). Recarga la página o ábrela en un navegador actual.' }
    : { loading: 'Loading the simulation…', failed: 'StateLab could not start (', after: '). Reload the page, or open it in a current browser.' };
  var status = document.querySelector('#boot .boot-status');
  if (!status) return;
  status.textContent = words.loading;

  function fail(reason) {
    if (!document.getElementById('boot')) return;
    status.textContent = words.failed + reason + words.after;
    status.parentNode.className += ' boot-failed';
  }
  // Only the app's own files count: the page's scripts, their preloads, and errors thrown by
  // same-origin code. A failed icon or an unrelated script does not stop the app.
  function ours(e) {
    var t = e.target;
    if (t && t.tagName === 'SCRIPT') return true;
    if (t && t.tagName === 'LINK') return /preload/.test(t.rel);
    if (!e.filename) return false;
    var a = document.createElement('a');
    a.href = e.filename;
    return a.host === location.host;
  }

  if (typeof WebAssembly !== 'object' || !('noModule' in HTMLScriptElement.prototype)) {
    fail(spanish ? 'este navegador no ejecuta WebAssembly' : 'this browser cannot run WebAssembly');
    return;
  }
  addEventListener('error', function (e) {
    if (ours(e)) fail(String(e.message || (spanish ? 'un archivo no cargó' : 'a file did not load')).replace(/^Uncaught /, ''));
  }, true);
  addEventListener('unhandledrejection', function (e) {
    fail(String(e.reason && e.reason.message ? e.reason.message : e.reason));
  });
})();
