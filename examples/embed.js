// A course page driving an embedded StateLab. Served next to the app (dist/examples/), so the
// iframe loads ../index.html; `host` is this page's own origin.
const frame = document.getElementById('lab');
const appOrigin = new URL('..', location.href).origin;
const params = new URLSearchParams({ mode: 'stateful', autoplay: '0', controls: 'minimal', title: '0', host: location.origin });
frame.src = new URL(`../index.html?${params}`, location.href).href;

const log = (text) => {
  const li = document.createElement('li');
  li.textContent = text;
  document.getElementById('log').append(li);
};
const send = (message) => frame.contentWindow.postMessage({ statelab: 1, ...message }, appOrigin);

window.addEventListener('message', (event) => {
  if (event.origin !== appOrigin || event.source !== frame.contentWindow) return;
  const m = event.data;
  if (!m || m.statelab !== 1) return;
  log(m.type === 'user_logged_out' ? `${m.user} was logged out: ${m.reason}` : m.type);
  window.statelabEvents = [...(window.statelabEvents ?? []), m];
});

document.getElementById('crash').addEventListener('click', () => send({ type: 'command', command: { cmd: 'crash_server', server: 0 } }));
document.getElementById('play').addEventListener('click', () => send({ type: 'play' }));
document.getElementById('pause').addEventListener('click', () => send({ type: 'pause' }));
